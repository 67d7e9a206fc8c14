# syntax=docker/dockerfile:1
# Multi-stage production image. Web:    docker run -p 3000:3000 --env-file .env mnetifi
#                                Worker: docker run --env-file .env mnetifi worker
# Production needs DATABASE_URL (mnetifi_app), APP_DOMAIN and ENCRYPTION_KEY; pass
# DATABASE_OWNER_URL (mnetifi_owner) to the one process that should run migrations at start.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
# patches/ must be there before the install: postinstall applies them (node-routeros !empty fix).
COPY package.json package-lock.json ./
COPY patches ./patches
# npm install, not npm ci: see .ci/run (the lockfile cannot list every platform's optional binaries).
RUN npm install --no-audit --no-fund

FROM deps AS build
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=3000 WORKER_IN_PROCESS=false
WORKDIR /app
RUN groupadd --system mnetifi && useradd --system --gid mnetifi --home /app mnetifi
COPY --from=build --chown=mnetifi:mnetifi /app/node_modules ./node_modules
COPY --from=build --chown=mnetifi:mnetifi /app/build ./build
COPY --chown=mnetifi:mnetifi package.json tsconfig.json ./
COPY --chown=mnetifi:mnetifi server ./server
COPY --chown=mnetifi:mnetifi db ./db
COPY --chown=mnetifi:mnetifi jobs ./jobs
COPY --chown=mnetifi:mnetifi policies ./policies
# The simulators, for SIMULATORS=true demo deployments only (loaded on demand).
COPY --chown=mnetifi:mnetifi sim ./sim
COPY --chown=mnetifi:mnetifi docker-entrypoint.sh ./
USER mnetifi
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
ENTRYPOINT ["./docker-entrypoint.sh"]
CMD ["web"]
