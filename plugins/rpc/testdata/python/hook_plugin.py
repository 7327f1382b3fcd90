#!/usr/bin/env python3
"""An awsenv hook plugin in Python, written from plugins/examples/README.md
and the .proto files alone: no awsenv code, no go-plugin, no grpcio-tools.

It needs grpcio and protobuf (Debian: python3-grpcio python3-protobuf) and
these modules, generated next to it with protoc (Debian: protobuf-compiler):

    protoc --proto_path=plugins/proto --python_out=DIR awsenv/hooks/v1/hooks.proto awsenv/mfa/v1/mfa.proto
    protoc --proto_path=plugins/rpc/testdata/python --python_out=DIR health.proto status.proto

What it does (awsenv.hooks.v1.Hooks):
  PreUse   refuses a profile named in the option "deny" (comma-separated),
           fails with a problem and a fix when the option "fail" is set,
           allows the others.
  PostUse  sets PY_HOOK (what it was told) and PY_SEEN (the variables of
           earlier hooks), says one message; cacheable when the option
           "cacheable" is "true".
  Unset    says goodbye.
"""

import os
import signal
import sys
import threading
from concurrent import futures

import grpc
from google.protobuf import any_pb2, empty_pb2

from awsenv.hooks.v1 import hooks_pb2
from awsenv.mfa.v1 import mfa_pb2
import health_pb2
import status_pb2

# The handshake values from the README.
COOKIE_KEY = "AWSENV_PLUGIN"
COOKIE_VALUE = "27069f140afc3d0f37d58d2e331105502aefb99cd66bdbdf"
APP_PROTOCOL = "1"

# "plugin" and the services this plugin serves: the health service answers
# SERVING for these and NOT_FOUND for any other name.
SERVED = {"plugin", "awsenv.hooks.v1.Hooks"}


def fail(context, problem, fix):
    """Ends the call with an error awsenv shows as `hook NAME: problem.
    fix`: the status message, and an awsenv.mfa.v1.Failure detail in the
    google.rpc.Status of the trailer grpc-status-details-bin. Never
    UNAVAILABLE: awsenv takes it for a crash."""
    code = grpc.StatusCode.FAILED_PRECONDITION
    detail = any_pb2.Any()
    detail.Pack(mfa_pb2.Failure(problem=problem, fix=fix))
    st = status_pb2.Status(code=code.value[0], message=problem, details=[detail])
    context.set_trailing_metadata((("grpc-status-details-bin", st.SerializeToString()),))
    context.abort(code, problem)


# awsenv.hooks.v1.Hooks


def pre_use(req, context):
    if req.options.get("fail"):
        fail(context, "the change calendar is closed", "Try again after the freeze, or ask the on-call engineer.")
    deny = [p.strip() for p in req.options.get("deny", "").split(",") if p.strip()]
    if req.profile in deny:
        return hooks_pb2.PreUseResponse(allow=False, reason="profile %s is denied by the python hook" % req.profile)
    print("python hook: PreUse %s account=%s role=%s region=%s source=%s terminal=%s"
          % (req.profile, req.account_id, req.role_arn, req.region, req.source_profile, req.terminal),
          file=sys.stderr, flush=True)
    return hooks_pb2.PreUseResponse(allow=True)


def post_use(req, context):
    seen = ";".join("%s=%s" % (v.name, v.value) for v in req.set)
    return hooks_pb2.PostUseResponse(
        set=[
            hooks_pb2.Variable(name="PY_HOOK", value="%s@%s %s %s %d" % (
                req.profile, req.account_id, req.arn, req.region, req.expires_unix)),
            hooks_pb2.Variable(name="PY_SEEN", value=seen),
        ],
        messages=["python hook: set PY_HOOK for %s" % req.profile],
        cacheable=req.options.get("cacheable") == "true",
    )


def unset(req, context):
    return hooks_pb2.UnsetResponse(messages=["python hook: bye %s" % req.profile])


# grpc.health.v1.Health


def check(req, context):
    if req.service not in SERVED:
        context.abort(grpc.StatusCode.NOT_FOUND, "unknown service")
    return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)


def unary(fn, request, response):
    """A unary method: what grpcio-tools' generated *_pb2_grpc.py would
    register."""
    return grpc.unary_unary_rpc_method_handler(
        fn, request_deserializer=request.FromString, response_serializer=response.SerializeToString)


def follow_parent():
    """Test scaffolding, not part of the protocol: with
    TESTPROC_FOLLOW_PARENT=1 the plugin dies with the test that started it
    (Linux's PR_SET_PDEATHSIG)."""
    if os.environ.get("TESTPROC_FOLLOW_PARENT") != "1" or not sys.platform.startswith("linux"):
        return
    import ctypes
    ppid = os.getppid()
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != ppid:
        sys.exit(1)


def main():
    follow_parent()
    # 1. Started by awsenv? A person running it by hand is told so.
    if os.environ.get(COOKIE_KEY) != COOKIE_VALUE:
        print("This is an awsenv plugin: awsenv starts it when a profile is switched.", file=sys.stderr)
        return 1
    # 2. The host lists the protocol versions it speaks.
    if APP_PROTOCOL not in os.environ.get("PLUGIN_PROTOCOL_VERSIONS", "").split(","):
        print("awsenv does not speak plugin protocol " + APP_PROTOCOL, file=sys.stderr)
        return 1
    pidfile = os.environ.get("TESTPLUGIN_PIDFILE")  # test scaffolding
    if pidfile:
        with open(pidfile, "w") as f:
            f.write(str(os.getpid()))

    # 3. The services: ours, health, and go-plugin's controller (Shutdown).
    done = threading.Event()

    def shutdown(req, context):
        done.set()
        return empty_pb2.Empty()

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((
        grpc.method_handlers_generic_handler("awsenv.hooks.v1.Hooks", {
            "PreUse": unary(pre_use, hooks_pb2.PreUseRequest, hooks_pb2.PreUseResponse),
            "PostUse": unary(post_use, hooks_pb2.PostUseRequest, hooks_pb2.PostUseResponse),
            "Unset": unary(unset, hooks_pb2.UnsetRequest, hooks_pb2.UnsetResponse),
        }),
        grpc.method_handlers_generic_handler("grpc.health.v1.Health", {
            "Check": unary(check, health_pb2.HealthCheckRequest, health_pb2.HealthCheckResponse),
        }),
        # plugin.Empty has no fields: google.protobuf.Empty is the same on the wire.
        grpc.method_handlers_generic_handler("plugin.GRPCController", {
            "Shutdown": unary(shutdown, empty_pb2.Empty, empty_pb2.Empty),
        }),
    ))

    # 4. Listen on a Unix socket in the directory awsenv chose.
    sock = os.path.join(os.environ.get("PLUGIN_UNIX_SOCKET_DIR") or "/tmp", "plugin-%d.sock" % os.getpid())
    server.add_insecure_port("unix:" + sock)
    server.start()

    # 5. Stop on SIGTERM too (awsenv sends it if Shutdown did not end us).
    signal.signal(signal.SIGTERM, lambda *_: done.set())

    # 6. The handshake line, then nothing else on stdout.
    print("1|%s|unix|%s|grpc|" % (APP_PROTOCOL, sock), flush=True)
    done.wait()
    server.stop(grace=0.1).wait()
    try:
        os.remove(sock)
    except FileNotFoundError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
