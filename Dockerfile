# mailferry: one image for both roles (ROLE=web serves chat, ROLE=worker moves mail).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json .npmrc ./
# .npmrc sets ignore-scripts: botbuilder's postinstall calls npx and fails offline; nothing we use needs a build step.
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY manifest ./manifest
USER node
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3978)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "--import", "tsx", "src/main.ts"]
