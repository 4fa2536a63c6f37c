# syntax=docker/dockerfile:1
# The onboarding API as a container: built from the lockfile, dev dependencies pruned, run as
# the unprivileged `node` user. Migrations are applied by the server itself at start.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# `npm ci` runs the postinstall `prisma generate` (scripts/prisma.js), which needs the Prisma
# schema, the script itself and the `prisma` dev dependency, so those come first.
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The generated client is compiled into dist/, so `prisma` is not needed at run time.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=4000 \
    HOST=0.0.0.0 \
    DATA_DIR=/app/data
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# The server reads its migrations from prisma/migrations at start (src/db/migrations.ts).
COPY --from=build --chown=node:node /app/prisma ./prisma
# DATA_DIR holds the embedded database when DATABASE_URL is not set; private to the server's user.
RUN mkdir -p /app/data && chown node:node /app/data && chmod 700 /app/data
USER node
# 4000: the API; 9464: /metrics when METRICS_PORT=9464 (keep it off the public network).
EXPOSE 4000 9464
# Readiness: the database answers and every migration is applied (README.md, "Health").
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
