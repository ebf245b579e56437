# Frontdesk: one static binary on a distroless base, running as a non-root user.
#   docker build -t frontdesk .
# CI checks the same build without Docker: scripts/build-static.sh.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN bash scripts/build-static.sh /out/frontdesk

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/frontdesk /frontdesk
USER nonroot:nonroot
EXPOSE 8080
ENV HTTP_ADDR=:8080 LOG_FORMAT=json
ENTRYPOINT ["/frontdesk"]
