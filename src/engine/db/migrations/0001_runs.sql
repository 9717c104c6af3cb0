CREATE TABLE "folder_cursors" (
	"mapping_id" text NOT NULL,
	"source_folder_key" text NOT NULL,
	"destination_folder_key" text NOT NULL,
	"cursor" text,
	"run_id" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "folder_cursors_mapping_id_source_folder_key_pk" PRIMARY KEY("mapping_id","source_folder_key")
);
--> statement-breakpoint
CREATE TABLE "item_failures" (
	"mapping_id" text NOT NULL,
	"source_folder_key" text NOT NULL,
	"source_item_key" text NOT NULL,
	"reason" text NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"resolved" boolean DEFAULT false NOT NULL,
	"run_id" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "item_failures_mapping_id_source_folder_key_source_item_key_pk" PRIMARY KEY("mapping_id","source_folder_key","source_item_key")
);
--> statement-breakpoint
CREATE TABLE "item_ledger" (
	"mapping_id" text NOT NULL,
	"source_folder_key" text NOT NULL,
	"source_item_key" text NOT NULL,
	"destination_folder_key" text NOT NULL,
	"destination_item_key" text NOT NULL,
	"content_hash" text NOT NULL,
	"bytes" bigint DEFAULT 0 NOT NULL,
	"run_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "item_ledger_mapping_id_source_folder_key_source_item_key_pk" PRIMARY KEY("mapping_id","source_folder_key","source_item_key")
);
--> statement-breakpoint
CREATE TABLE "write_intents" (
	"mapping_id" text NOT NULL,
	"source_folder_key" text NOT NULL,
	"source_item_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "write_intents_mapping_id_source_folder_key_source_item_key_pk" PRIMARY KEY("mapping_id","source_folder_key","source_item_key")
);
--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "options" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "folder_cursors" ADD CONSTRAINT "folder_cursors_mapping_id_mappings_id_fk" FOREIGN KEY ("mapping_id") REFERENCES "public"."mappings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_failures" ADD CONSTRAINT "item_failures_mapping_id_mappings_id_fk" FOREIGN KEY ("mapping_id") REFERENCES "public"."mappings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_ledger" ADD CONSTRAINT "item_ledger_mapping_id_mappings_id_fk" FOREIGN KEY ("mapping_id") REFERENCES "public"."mappings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "write_intents" ADD CONSTRAINT "write_intents_mapping_id_mappings_id_fk" FOREIGN KEY ("mapping_id") REFERENCES "public"."mappings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "item_failures_open" ON "item_failures" USING btree ("mapping_id","resolved");