# syntax=docker/dockerfile:1
# Yunying image: one image, three uses (api, worker, migrate) chosen by the command.

# ---- build: compile TypeScript with the dev dependencies ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund || npm install --no-save --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY core ./core
COPY api ./api
COPY workers ./workers
COPY integrations ./integrations
COPY dashboard ./dashboard
COPY migrations ./migrations
COPY bin ./bin
RUN npm run build

# ---- deps: production dependencies only ----
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN (npm ci --omit=dev --no-audit --no-fund || npm install --omit=dev --no-save --no-audit --no-fund) \
  && npm cache clean --force

# ---- runtime: Chromium from Debian for the PDF reports, Chinese fonts, tini as PID 1 ----
FROM node:20-bookworm-slim AS runtime
RUN apt-get update \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    chromium fonts-noto-cjk tini ca-certificates \
  && rm -rf /var/lib/apt/lists/* \
  && groupadd --system --gid 10001 yunying \
  && useradd --system --uid 10001 --gid yunying --home-dir /app --shell /usr/sbin/nologin yunying \
  && mkdir -p /data && chown yunying:yunying /data
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    CHROMIUM_PATH=/usr/bin/chromium
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
# Data files read at run time (tsc does not copy them into dist/).
COPY --chown=root:root core/identity/data ./core/identity/data
COPY --chown=root:root core/proofreading/data ./core/proofreading/data
COPY --chown=root:root dashboard/portal/assets ./dashboard/portal/assets
COPY --chown=root:root dashboard/admin/assets ./dashboard/admin/assets
COPY --chown=root:root dashboard/shared/assets ./dashboard/shared/assets
COPY --chown=root:root package.json ./
USER yunying
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node"]
CMD ["dist/bin/main.js", "--role", "all"]
