#!/usr/bin/env bash
# Builds the native client (client/target/enviro-client) with Debian's Go and gRPC packages, offline:
# GOPATH mode over /usr/share/gocode, the API's Go code generated from grpc-api's enviro.proto into
# build/gopath. `client/build.sh test` then runs its unit tests. Called by this module's pom.
set -euo pipefail
client=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$client")
gopath=$repo/build/gopath
for tool in go protoc protoc-gen-go protoc-gen-go-grpc; do
    command -v $tool >/dev/null || { echo "client/build.sh: $tool is missing: run ./setup --deps (as root)" >&2; exit 1; }
done

# Go's build cache in the checkout too: a build must not depend on a writable $HOME
export GOPATH="$gopath:/usr/share/gocode" GO111MODULE=off GOFLAGS=-trimpath GOCACHE="${GOCACHE:-$repo/build/gocache}"
if [[ ${1:-} == test ]]; then
    [[ ${2:-} == true || ${3:-} == true ]] && exit 0 # -DskipTests, -Dmaven.test.skip=true
    # (after a build: the generated package is there)
    cd "$gopath/src/enviro.dev/client"
    go vet .
    exec go test -count=1 .
fi

# The generated package, enviro.dev/api/enviro/v1; written beside and renamed, so a build never sees half of it.
api=$gopath/src/enviro.dev/api
mkdir -p "$gopath/src/enviro.dev"
tmp=$(mktemp -d "$api.XXXXXX") # (two builds of one checkout at once each have their own)
trap 'rm -rf "$tmp"' EXIT
protoc -I "$repo/grpc-api/src/main/proto" \
    --go_out="$tmp" --go_opt=paths=source_relative \
    --go-grpc_out="$tmp" --go-grpc_opt=paths=source_relative \
    enviro/v1/enviro.proto
rm -rf "$api" && mv "$tmp" "$api"
# The client's own sources stay in client/; GOPATH mode finds them through a link.
ln -sfn "$client" "$gopath/src/enviro.dev/client"

cd "$gopath/src/enviro.dev/client"
mkdir -p "$client/target"
go build -o "$client/target/enviro-client.part.$$" .
mv "$client/target/enviro-client.part.$$" "$client/target/enviro-client"
