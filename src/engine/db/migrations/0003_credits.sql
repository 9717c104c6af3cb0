CREATE TABLE "credit_accounts" (
	"org_id" text PRIMARY KEY NOT NULL,
	"balance" integer DEFAULT 0 NOT NULL,
	"held" integer DEFAULT 0 NOT NULL,
	"consumed" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credit_accounts_balance_nonnegative" CHECK ("credit_accounts"."balance" >= 0),
	CONSTRAINT "credit_accounts_held_nonnegative" CHECK ("credit_accounts"."held" >= 0),
	CONSTRAINT "credit_accounts_available_nonnegative" CHECK ("credit_accounts"."balance" - "credit_accounts"."held" >= 0)
);
--> statement-breakpoint
CREATE TABLE "credit_holds" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"project_id" text NOT NULL,
	"run_id" text NOT NULL,
	"status" text NOT NULL,
	"amount" integer NOT NULL,
	"consumed" integer DEFAULT 0 NOT NULL,
	"released" integer DEFAULT 0 NOT NULL,
	"available_before" integer NOT NULL,
	"available_after" integer NOT NULL,
	"requested_by" text NOT NULL,
	"requested_by_name" text NOT NULL,
	"decided_by" text,
	"decided_by_name" text,
	"decided_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	"outcome" text,
	"lines" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "credit_holds_parts" CHECK ("credit_holds"."consumed" >= 0 and "credit_holds"."released" >= 0 and "credit_holds"."consumed" + "credit_holds"."released" <= "credit_holds"."amount")
);
--> statement-breakpoint
CREATE TABLE "credit_ledger" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "credit_ledger_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"org_id" text NOT NULL,
	"kind" text NOT NULL,
	"amount" integer NOT NULL,
	"held_delta" integer NOT NULL,
	"balance_after" integer NOT NULL,
	"hold_id" text,
	"run_id" text,
	"project_id" text,
	"project_name" text,
	"actor" text NOT NULL,
	"reason" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "licenses" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"identity" text NOT NULL,
	"kind" text NOT NULL,
	"source_address" text NOT NULL,
	"project_id" text,
	"project_name" text NOT NULL,
	"run_id" text,
	"credits" integer NOT NULL,
	"consumed_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "subscriptions" (
	"project_id" text NOT NULL,
	"channel_key" text NOT NULL,
	"org_id" text NOT NULL,
	"topics" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "subscriptions_project_id_channel_key_pk" PRIMARY KEY("project_id","channel_key")
);
--> statement-breakpoint
ALTER TABLE "mailbox_runs" ADD COLUMN "charged_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "orgs" ADD COLUMN "credit_policy" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "credit_accounts" ADD CONSTRAINT "credit_accounts_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_holds" ADD CONSTRAINT "credit_holds_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_holds" ADD CONSTRAINT "credit_holds_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_holds" ADD CONSTRAINT "credit_holds_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_ledger" ADD CONSTRAINT "credit_ledger_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "licenses" ADD CONSTRAINT "licenses_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "credit_holds_run" ON "credit_holds" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "credit_holds_org_status" ON "credit_holds" USING btree ("org_id","status");--> statement-breakpoint
CREATE INDEX "credit_ledger_org" ON "credit_ledger" USING btree ("org_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "licenses_org_identity" ON "licenses" USING btree ("org_id","identity");--> statement-breakpoint
CREATE INDEX "licenses_org_expires" ON "licenses" USING btree ("org_id","expires_at");--> statement-breakpoint
CREATE INDEX "subscriptions_org" ON "subscriptions" USING btree ("org_id");