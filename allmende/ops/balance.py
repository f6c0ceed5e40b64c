"""Deal the production server's connections to its workers in turn.

On Linux each granian worker listens on the port itself (SO_REUSEPORT), and the kernel hands a new
connection to one of them by a hash of the connection's addresses, whatever the workers' load. With
few long-lived connections (a reverse proxy's keep-alive pool, a load test's 16 clients) the hash
often gives one worker many more than the other: 11 of 16 or worse in about a fifth of the starts.
Each worker runs its Python on one core (the GIL), so the clients of the fuller worker wait longer,
while the other core has time to spare.

`attach` gives the port's group of listening sockets a small eBPF program that picks the worker by a
counter instead of the hash: connection k goes to worker k mod n, so 16 connections on 2 workers are
always 8 and 8. The program is 14 instructions written out below (a counter in a one-entry array map,
incremented atomically, so two connections arriving at once on two cores still get different
workers). The kernel keeps it with the group as long as one worker listens: a worker that granian
starts again joins at its old place (a leaving socket's place is taken by the last one, and a new one
is put last); if every worker is gone, the next start runs this module again (`scripts/serve-prod.sh`).

To reach the group, `attach` opens one more listening socket on the same address (same user,
SO_REUSEPORT: the kernel puts it in the workers' group, last), sets the program through it and closes
it; a connection that arrives in the microseconds between its `listen` and the program is reset.

Loading a program needs CAP_BPF; joining the group needs the workers' user. Run as root with
`--user` naming the service's user, it loads the program, then becomes that user to attach it
(deploy/allmende-web.service does so); `scripts/serve-prod.sh` starts it as the user it runs as, which
is enough where that is root. Without the capability nothing changes: the kernel's hash assigns the
connections as before, and `main` says so in one line.

    python -m allmende.ops.balance [--host 127.0.0.1] [--port 8000] [--workers 2] [--user allmende]

waits until that many sockets listen on the port, attaches the program and exits. The defaults are
the environment's HOST, PORT and WEB_WORKERS, as serve-prod.sh reads them.
"""

import argparse
import ctypes
import errno
import os
import platform
import pwd
import socket
import struct
import sys
import time

# bpf(2)'s number; the program itself is the same on every architecture.
_BPF_SYSCALL = {"x86_64": 321, "aarch64": 280, "armv7l": 386, "ppc64le": 361, "s390x": 351, "riscv64": 280}
_BPF_MAP_CREATE = 0
_BPF_PROG_LOAD = 5
_BPF_MAP_TYPE_ARRAY = 2
_BPF_PROG_TYPE_SOCKET_FILTER = 1
_SO_ATTACH_REUSEPORT_EBPF = 52
_ATTR_SIZE = 128  # bpf_attr as far as these two commands use it; the kernel wants the rest zero


def _insn(code: int, dst: int = 0, src: int = 0, off: int = 0, imm: int = 0) -> bytes:
    """One eBPF instruction: opcode, registers (source in the high nibble), offset, immediate."""
    return struct.pack("<BBhi", code, (src << 4) | dst, off, imm)


def round_robin_program(map_fd: int, workers: int) -> bytes:
    """The socket index for each new connection: a shared counter's old value modulo `workers`."""
    if not 1 <= workers <= 2**31 - 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    return b"".join(
        [
            _insn(0x62, dst=10, off=-4, imm=0),  # *(u32 *)(r10 - 4) = 0: the map's only key
            _insn(0xBF, dst=2, src=10),  # r2 = r10
            _insn(0x07, dst=2, imm=-4),  # r2 += -4: r2 points at the key
            _insn(0x18, dst=1, src=1, imm=map_fd),  # r1 = the map (64-bit load of a map's fd ...
            _insn(0x00),  # ... in two slots)
            _insn(0x85, imm=1),  # r0 = bpf_map_lookup_elem(r1, r2)
            _insn(0x15, dst=0, off=5),  # if r0 == NULL: go to "r0 = 0"
            _insn(0xB7, dst=1, imm=1),  # r1 = 1
            _insn(0xDB, dst=0, src=1, imm=0x01),  # r1 = atomic_fetch_add((u64 *)r0, r1)
            _insn(0x97, dst=1, imm=workers),  # r1 %= workers
            _insn(0xBF, dst=0, src=1),  # r0 = r1
            _insn(0x95),  # return r0: the index of the worker's socket in the group
            _insn(0xB7, dst=0, imm=0),  # r0 = 0
            _insn(0x95),  # return r0
        ]
    )


def _bpf(command: int, attr: bytes) -> int:
    number = _BPF_SYSCALL.get(platform.machine())
    if number is None or sys.platform != "linux":
        raise OSError(errno.ENOSYS, f"bpf(2) is not known on {sys.platform} {platform.machine()}")
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    buffer = ctypes.create_string_buffer(attr.ljust(_ATTR_SIZE, b"\0"), _ATTR_SIZE)
    fd = libc.syscall(ctypes.c_long(number), ctypes.c_long(command), buffer, ctypes.c_uint(_ATTR_SIZE))
    if fd < 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
    return fd


def _load(workers: int) -> int:
    """The program's file descriptor (it holds its map)."""
    map_fd = _bpf(_BPF_MAP_CREATE, struct.pack("<IIII", _BPF_MAP_TYPE_ARRAY, 4, 8, 1))
    try:
        code = ctypes.create_string_buffer(round_robin_program(map_fd, workers))
        license_ = ctypes.create_string_buffer(b"EUPL-1.2")
        attr = struct.pack(
            "<IIQQIIQII16s",
            _BPF_PROG_TYPE_SOCKET_FILTER,
            (len(code) - 1) // 8,  # create_string_buffer adds a NUL
            ctypes.addressof(code),
            ctypes.addressof(license_),
            0,  # no verifier log
            0,
            0,
            0,
            0,
            b"allmende_rr",
        )
        return _bpf(_BPF_PROG_LOAD, attr)
    finally:
        os.close(map_fd)  # the program keeps its map


def _address(host: str, port: int) -> tuple[socket.AddressFamily, tuple]:
    family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    return family, address


def attach(host: str, port: int, workers: int, user: str | None = None) -> None:
    """Give the group of sockets listening on host:port the round-robin program; with `user`, become
    that user after loading it (for good: this process has nothing else to do). Raises OSError (EPERM
    without CAP_BPF; EINVAL if nothing listens there with SO_REUSEPORT)."""
    family, address = _address(host, port)
    if not listening(port):
        raise OSError(errno.EINVAL, f"nothing listens on port {port}")
    program = _load(workers)
    try:
        if user is not None:
            account = pwd.getpwnam(user)
            os.setgroups([])
            os.setgid(account.pw_gid)
            os.setuid(account.pw_uid)
        with socket.socket(family, socket.SOCK_STREAM) as extra:
            extra.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            extra.bind(address)
            extra.listen(1)  # now the group's last member: the workers keep their places 0 .. n-1
            extra.setsockopt(socket.SOL_SOCKET, _SO_ATTACH_REUSEPORT_EBPF, program)
        # closed: it leaves the group, the program stays with it
    finally:
        os.close(program)


def listening(port: int) -> int:
    """How many TCP sockets listen on `port` (any address, IPv4 and IPv6), from /proc/net."""
    count = 0
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as table:
                next(table)
                for line in table:
                    fields = line.split()
                    if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                        count += 1
        except FileNotFoundError:
            continue
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default=os.environ.get("HOST") or "127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS") or 2))
    parser.add_argument("--user", help="the workers' user, to become after loading the program (run as root)")
    parser.add_argument("--timeout", type=float, default=170.0, help="seconds to wait for the workers")
    args = parser.parse_args(argv)
    where = f"{args.host}:{args.port}"
    if args.workers < 2:
        return 0
    deadline = time.monotonic() + args.timeout
    while listening(args.port) < args.workers:
        if time.monotonic() > deadline:
            print(
                f"allmende.ops.balance: {where}: fewer than {args.workers} workers listen; nothing attached",
                file=sys.stderr,
            )
            return 1
        time.sleep(0.05)
    try:
        attach(args.host, args.port, args.workers, args.user)
    except OSError as error:
        hint = " (needs CAP_BPF)" if error.errno in (errno.EPERM, errno.EACCES) else ""
        print(
            f"allmende.ops.balance: {where}: connections stay assigned by the kernel's hash: {error}{hint}",
            file=sys.stderr,
        )
        return 0
    print(
        f"allmende.ops.balance: {where}: connections are dealt to the {args.workers} workers in turn",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
