"""Tiny launcher for the local stack's servers; each lives exactly as long as the process that started it.

  launcher.py clickhouse LIBCHDB_SO [clickhouse-local args...]
      Serves ClickHouse's HTTP and native protocols through libchdb's chdb_query_cmdline on this
      process's main thread (ClickHouse's stack-size check fails on Node's threads). The query
      blocks reading an OS pipe; a thread closes the pipe's write end when our stdin reaches EOF,
      so the server shuts down cleanly when the parent closes stdin or dies, even by SIGKILL.

  launcher.py exec COMMAND [args...]
      Asks the kernel to send SIGTERM when the parent dies, then becomes COMMAND (used for Kafka,
      which has no stdin-lifetime mode of its own).
"""
import ctypes
import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1


def die_with_parent():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        sys.exit("launcher: prctl(PR_SET_PDEATHSIG) failed: errno %d" % ctypes.get_errno())
    # The parent may have died between fork and prctl; then we were re-parented already.
    if os.getppid() == 1:
        sys.exit("launcher: parent exited before the server started")


def serve_clickhouse(lib_path, args):
    lib = ctypes.CDLL(lib_path)
    read_fd, write_fd = os.pipe()
    query = (
        "SYSTEM START LISTEN HTTP; SYSTEM START LISTEN TCP; "
        "SELECT count() FROM file('/proc/self/fd/%d', 'LineAsString') FORMAT Null;" % read_fd
    )
    argv = ["clickhouse"] + args + ["--multiquery", "--query=" + query]

    def close_when_stdin_ends():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            os.close(write_fd)

    threading.Thread(target=close_when_stdin_ends, daemon=True).start()
    lib.chdb_query_cmdline.restype = ctypes.c_void_p
    lib.chdb_query_cmdline.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]
    encoded = (ctypes.c_char_p * len(argv))(*[a.encode() for a in argv])
    result = lib.chdb_query_cmdline(len(argv), encoded)
    if not result:
        sys.exit("launcher: chdb_query_cmdline returned no result")
    print("launcher: clickhouse stopped", file=sys.stderr, flush=True)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("clickhouse", "exec"):
        sys.exit("usage: launcher.py clickhouse LIBCHDB_SO [args...] | launcher.py exec COMMAND [args...]")
    if sys.argv[1] == "clickhouse":
        # No death signal here: stdin EOF on parent death already means a clean shutdown.
        serve_clickhouse(sys.argv[2], sys.argv[3:])
    else:
        die_with_parent()
        os.execvp(sys.argv[2], sys.argv[2:])


if __name__ == "__main__":
    main()
