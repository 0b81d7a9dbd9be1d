# A rogue UPnP-IGD for RogueIgdLabTest, run in a lab router's namespace.
# argv: lan_address scenario secret_fifo marker_dir public_address
# Answers SSDP M-SEARCH on the LAN with a LOCATION at its own HTTP server (port 5000), serves one
# hostile description per scenario, and records in marker_dir: "desc" (one line per description
# request), "watched" (one line per request to the watched server, port 8081 on every address),
# "secret-read" (someone opened the secret FIFO for reading).
import os, socket, struct, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lan, scenario, fifo, marks, public = sys.argv[1:6]
IGD = "urn:schemas-upnp-org:device:InternetGatewayDevice:1"

def mark(name, line):
    with open(os.path.join(marks, name), "a") as f:
        f.write(line + "\n")

def device(device_type, control, name="rogue",
           service="urn:schemas-upnp-org:service:WANIPConnection:1"):
    return ('<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major>'
            '<minor>0</minor></specVersion><device><deviceType>%s</deviceType>'
            '<friendlyName>%s</friendlyName><serviceList><service>'
            '<serviceType>%s</serviceType>'
            '<serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>'
            '<controlURL>%s</controlURL><eventSubURL>/evt</eventSubURL><SCPDURL>/scpd.xml</SCPDURL>'
            '</service></serviceList></device></root>') % (device_type, name, service, control)

watch = "http://%s:8081" % lan

def body():
    if scenario == "file":
        return ('<?xml version="1.0"?><!DOCTYPE root [<!ENTITY x SYSTEM "file://%s">]>' % fifo
                + device(IGD, "/ctl", "&x;"))
    if scenario == "url":
        return ('<?xml version="1.0"?><!DOCTYPE root SYSTEM "%s/dtd" [<!ENTITY %% p SYSTEM "%s/p">'
                ' %%p; <!ENTITY y SYSTEM "%s/y">]>' % (watch, watch, watch)
                + device(IGD, "/ctl", "&y;"))
    if scenario == "laughs":
        d = '<?xml version="1.0"?><!DOCTYPE root [<!ENTITY l0 "lol">'
        for i in range(1, 10):
            d += '<!ENTITY l%d "%s">' % (i, ("&l%d;" % (i - 1)) * 10)
        return d + "]>" + device(IGD, "/ctl", "&l9;")
    if scenario == "foreign-control":
        return device(IGD, "http://%s:8081/ctl" % public)
    if scenario == "not-igd":
        return device("urn:schemas-upnp-org:device:MediaServer:1", watch + "/ctl",
                      service="urn:schemas-upnp-org:service:ContentDirectory:1")
    raise SystemExit("unknown scenario " + scenario)

class Desc(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    def log_message(self, *a):
        pass
    def do_GET(self):
        mark("desc", self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        if scenario == "endless":  # no length: a description that never ends
            self.end_headers()
            chunk = ("<a>" + "x" * 4090 + "</a>").encode()
            try:
                self.wfile.write(b'<?xml version="1.0"?><root>')
                for _ in range(262144):  # a gigabyte
                    self.wfile.write(chunk)
            except OSError:
                pass
            return
        b = body().encode()
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    do_POST = do_GET

class Watched(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def handle_one_request(self):
        mark("watched", "request")
        try:
            super().handle_one_request()
        except OSError:
            pass
    def do_GET(self):
        self.send_response(404)
        self.end_headers()
    do_POST = do_GET

def secret():
    with open(fifo, "w") as f:  # returns only when a reader opens the FIFO
        mark("secret-read", "opened")
        f.write("the secret\n")

for target in (lambda: ThreadingHTTPServer((lan, 5000), Desc).serve_forever(),
               lambda: ThreadingHTTPServer(("0.0.0.0", 8081), Watched).serve_forever(),
               secret):
    threading.Thread(target=target, daemon=True).start()

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", 1900))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
             socket.inet_aton("239.255.255.250") + socket.inet_aton(lan))
print("READY", flush=True)
while True:
    data, peer = s.recvfrom(4096)
    text = data.decode("latin-1")
    if not text.startswith("M-SEARCH"):
        continue
    st = IGD
    for line in text.split("\r\n"):
        if line.lower().startswith("st:"):
            st = line[3:].strip()
    reply = ("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nEXT:\r\nST: %s\r\n"
             "USN: uuid:rogue::%s\r\nSERVER: rogue/1\r\nLOCATION: http://%s:5000/rootDesc.xml\r\n\r\n"
             % (st, st, lan))
    s.sendto(reply.encode(), peer)
