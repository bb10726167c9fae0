# One image for all three registers: `klantinteracties serve --register NAME`, `migrate`,
# `token …`. Built from the workspace; runs as a non-root user on a read-only root filesystem
# (it writes nothing but, with the embedded default, its SQLite files under /data).

FROM rust:1.95-slim-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p klantinteracties \
    && cp target/release/klantinteracties /usr/local/bin/klantinteracties

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --create-home klantinteracties
COPY --from=build /usr/local/bin/klantinteracties /usr/local/bin/klantinteracties
USER 10001
WORKDIR /data
ENV KLANTINTERACTIES_BIND=0.0.0.0:8000 \
    KLANTINTERACTIES_DATA_DIR=/data \
    KLANTINTERACTIES_LOG_FORMAT=json
EXPOSE 8000
ENTRYPOINT ["klantinteracties"]
CMD ["serve"]
