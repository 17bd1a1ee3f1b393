"""Traffic for tests/suites/xdp_live.sh: UDP senders and receivers, a UDP echo client and a
TCP echo pair, each printing one line that the suite checks."""
import socket
import sys
import time


def udp_send(src, dst, port, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if src:
        s.bind((src, 0))
    for i in range(count):
        s.sendto(b"datagram %d" % i, (dst, port))
        time.sleep(0.002)
    print("sent", count)


def udp_recv(addr, port, count, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    print("ready", flush=True)
    got, deadline = 0, time.time() + timeout
    while got < count and time.time() < deadline:
        s.settimeout(max(deadline - time.time(), 0.01))
        try:
            s.recvfrom(2048)
            got += 1
        except socket.timeout:
            break
    print("received", got, flush=True)


def udp_echo(dst, port, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((dst, port))
    s.settimeout(2)
    echoes = 0
    for i in range(count):
        payload = b"echo %d" % i
        s.send(payload)
        try:
            if s.recv(2048) == payload:
                echoes += 1
        except socket.timeout:
            pass
    print("echoes", echoes)


def tcp_server(addr, port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(1)
    print("ready", flush=True)
    s.settimeout(10)
    c, _ = s.accept()
    c.settimeout(10)
    while True:
        data = c.recv(65536)
        if not data:
            break
        c.sendall(data)
    c.close()


def tcp_client(addr, port, size):
    data = bytes(i % 251 for i in range(size))
    c = socket.create_connection((addr, port), timeout=10)
    c.sendall(data)
    c.shutdown(socket.SHUT_WR)
    got = bytearray()
    while True:
        chunk = c.recv(65536)
        if not chunk:
            break
        got += chunk
    print("tcp echo", "ok" if got == data else "mismatch (%d of %d bytes)" % (len(got), size))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "udp-send":
        udp_send(args[0], args[1], int(args[2]), int(args[3]))
    elif cmd == "udp-recv":
        udp_recv(args[0], int(args[1]), int(args[2]), float(args[3]))
    elif cmd == "udp-echo":
        udp_echo(args[0], int(args[1]), int(args[2]))
    elif cmd == "tcp-server":
        tcp_server(args[0], int(args[1]))
    elif cmd == "tcp-client":
        tcp_client(args[0], int(args[1]), int(args[2]))
    else:
        sys.exit("unknown command " + cmd)
