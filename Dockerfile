# syntax=docker/dockerfile:1
# The API server as an image: built in one stage, run from another without the sources or the
# development packages, as an unprivileged user.
#
#   docker build -t insurance-api .
#   docker run -p 4000:4000 -e JWT_SECRET=<32+ random characters> -e DATABASE_URL=postgres://… insurance-api
#
# Without DATABASE_URL the server runs its embedded PostgreSQL in /data (a volume), as the same
# unprivileged user: fine to try the image, but give it a real database in production.

# --- build: install from the lockfile (the prepare script compiles dist/), then drop the dev packages
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm ci --json=false && npm prune --omit=dev --json=false

# --- runtime
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=4000 \
    DATA_DIR=/data
WORKDIR /app
# Read-only to the server's user: the code, its packages, the tenants' policy files, China's division
# codes (ID numbers, place names; the villages for npm run import:regions, which runs here too) and the
# files below.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/tenants ./tenants
COPY --from=build /app/data ./data
# The client operations (the metrics' known operation names, the allow-list, the dashboard's queries) and the dashboard's page.
COPY --from=build /app/schema/operations ./schema/operations
COPY --from=build /app/public ./public
# The only folder it writes: the embedded database (when DATABASE_URL is unset) and generated secrets.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
# PostgreSQL refuses to run as root; so does this image, for the server's own sake.
USER node
EXPOSE 4000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node itself, not npm: SIGTERM from `docker stop` reaches the server, which drains and stops cleanly.
# The Node flags of `npm start` (package.json); docs/scale.md says why.
CMD ["node", "--max-semi-space-size=32", "--single-threaded-gc", "--heap-growing-percent=100", "--no-memory-reducer", "dist/src/main.js"]
