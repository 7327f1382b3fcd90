#!/bin/sh
# Regenerates plugins/proto/mfav1, hooksv1 and credentialsv1 from the .proto
# files under plugins/proto/awsenv/.
#
# Needs protoc (Debian: apt-get install protobuf-compiler; 3.21.12 made the
# committed files) and the Go generators on PATH:
#   go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
#   go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2
# The generated files are committed; run this only after changing the .proto.
set -eu
cd "$(dirname "$0")"
protoc \
	--proto_path=. \
	--go_out=. --go_opt=module=github.com/awsenv/awsenv/plugins/proto \
	--go-grpc_out=. --go-grpc_opt=module=github.com/awsenv/awsenv/plugins/proto \
	awsenv/mfa/v1/mfa.proto awsenv/hooks/v1/hooks.proto awsenv/credentials/v1/credentials.proto
