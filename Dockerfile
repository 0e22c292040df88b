# Declic container image.
#
#   docker build -t declic .
#   docker run --rm -p 8080:8080 -v declic-data:/data \
#     -e DECLIC__SECURITY__SECRET_KEY="$(openssl rand -hex 32)" declic
#
# Without DECLIC__DATABASE__URL the server keeps a SQLite database in /data;
# docker-compose.yml runs it with PostgreSQL and a mail catcher instead.
# Configuration is DECLIC__SECTION__KEY variables (see config/default.toml);
# crates/declic-config/tests/compose.rs checks the DECLIC__ names used here.

# ---- build ------------------------------------------------------------------
FROM rust:1.95-bookworm AS builder
WORKDIR /src
# rust-toolchain.toml pins 1.95.0; rustup may add its clippy/rustfmt components.
COPY . .
# The caches need BuildKit (the default builder since Docker 23). The target
# directory is a cache, so the binary is copied out of it in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p declic \
    && cp target/release/declic /usr/local/bin/declic

# ---- runtime ----------------------------------------------------------------
FROM debian:bookworm-slim AS runtime
# ca-certificates: TLS to SMTP and PostgreSQL servers; curl: the HEALTHCHECK below.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 declic \
    && useradd --system --uid 10001 --gid declic --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin declic \
    && mkdir -p /data \
    && chown declic:declic /data
COPY --from=builder /usr/local/bin/declic /usr/local/bin/declic
# `declic` reads config/<environment>.toml from its working directory
# (config/production.toml turns on JSON logs); default.toml is built in.
WORKDIR /app
COPY config/ /app/config/
ENV DECLIC__DATA_DIR=/data \
    DECLIC__SERVER__BIND=0.0.0.0:8080
# Declared after the chown so that a new named volume starts owned by declic.
VOLUME ["/data"]
USER declic
EXPOSE 8080
# /readyz answers 200 once the server listens and its database answers.
# It assumes the port 8080 set above; change both together.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8080/readyz"]
ENTRYPOINT ["declic"]
CMD ["serve", "--bind", "0.0.0.0:8080"]
