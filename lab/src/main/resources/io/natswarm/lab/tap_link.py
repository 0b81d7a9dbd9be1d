# A delaying wire between two lab namespaces, for KernelLab (LAB.md, "Delay and loss": this kernel
# has no netem). Creates one TAP device (IFF_TAP|IFF_NO_PI) in each namespace, entering each through
# /var/run/netns/<name> so that nothing appears in the caller's namespace, then copies Ethernet
# frames both ways, holding each for DELAY_MS plus a uniform 0..JITTER_MS, never reordering within a
# direction (a frame is never due before the one read before it). At most QUEUE_LIMIT frames wait
# per direction; more are dropped, as a full router queue would. The devices are not persistent:
# they vanish with this process, which exits when its stdin closes or on SIGTERM.
#
# Usage: tap_link.py NS_A IF_A NS_B IF_B DELAY_MS JITTER_MS QUEUE_LIMIT
# Prints "ready" on stdout once both devices exist, then nothing more; at exit it prints one line of
# counters to stderr.
import collections, ctypes, fcntl, os, random, select, signal, struct, sys, time

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
FRAME_MAX = 65536
# Frames read from one device per wake-up, so that a flood one way cannot starve the other.
READ_BURST = 64

libc = ctypes.CDLL(None, use_errno=True)


def tap_in(namespace, ifname):
    ns = os.open('/var/run/netns/' + namespace, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if libc.setns(ns, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, 'setns(%s): %s' % (namespace, os.strerror(err)))
    finally:
        os.close(ns)
    # The device is made in the namespace of the process that opens /dev/net/tun.
    fd = os.open('/dev/net/tun', os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', ifname.encode(), IFF_TAP | IFF_NO_PI))
    return fd


def main():
    ns_a, if_a, ns_b, if_b = sys.argv[1:5]
    delay = int(sys.argv[5]) / 1000.0
    jitter = int(sys.argv[6]) / 1000.0
    limit = int(sys.argv[7])
    fd_a = tap_in(ns_a, if_a)
    fd_b = tap_in(ns_b, if_b)
    stdin = sys.stdin.fileno()
    # (from, to, waiting frames as (due, frame), last due time)
    ways = {fd_a: [fd_b, collections.deque(), 0.0], fd_b: [fd_a, collections.deque(), 0.0]}
    counts = {'forwarded': 0, 'dropped': 0}
    signal.signal(signal.SIGTERM, on_term)
    sys.stdout.write('ready\n')
    sys.stdout.flush()
    try:
        forward(stdin, ways, limit, delay, jitter, counts)
    except Stopped:
        pass
    sys.stderr.write('tap_link forwarded=%d dropped=%d\n' % (counts['forwarded'], counts['dropped']))


class Stopped(Exception):
    pass


def on_term(signum, frame):
    # Raised, not recorded: Python would otherwise resume a select() without a timeout (PEP 475).
    raise Stopped()


def forward(stdin, ways, limit, delay, jitter, counts):
    watched = [stdin] + list(ways)
    while True:
        now = time.monotonic()
        for way in ways.values():
            to, queue = way[0], way[1]
            while queue and queue[0][0] <= now:
                frame = queue.popleft()[1]
                try:
                    os.write(to, frame)
                    counts['forwarded'] += 1
                except OSError:
                    counts['dropped'] += 1  # the device is down or its queue is full
        due = [w[1][0][0] for w in ways.values() if w[1]]
        timeout = max(0.0, min(due) - time.monotonic()) if due else None
        readable = select.select(watched, [], [], timeout)[0]
        now = time.monotonic()
        for fd in readable:
            if fd == stdin:
                if not os.read(stdin, 4096):
                    return
                continue
            way = ways[fd]
            for _ in range(READ_BURST):
                try:
                    frame = os.read(fd, FRAME_MAX)
                except (BlockingIOError, InterruptedError):
                    break
                if len(way[1]) >= limit:
                    counts['dropped'] += 1
                    continue
                hold = delay + (random.uniform(0.0, jitter) if jitter > 0 else 0.0)
                way[2] = max(now + hold, way[2])
                way[1].append((way[2], frame))


if __name__ == '__main__':
    main()
