# The worker image (also runs the simulators). No build step: tsx runs the TypeScript sources.
FROM node:24.22.3-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts=false && npm cache clean --force
COPY tsconfig.json ./
COPY src ./src
COPY examples ./examples
USER node
CMD ["npx", "tsx", "src/worker.ts"]
