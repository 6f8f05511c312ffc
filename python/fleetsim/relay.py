"""Relay between fleetsim's pipes and the gym environment's socket.

fleetsim starts this script as an external strategy; it connects to the
Unix socket named by $FLEETSIM_GYM_SOCKET and copies bytes both ways, so
the environment, not this process, answers the decisions."""

import os
import socket
import threading


def main():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(os.environ["FLEETSIM_GYM_SOCKET"])

    def up():
        while True:
            b = os.read(0, 1 << 16)
            if not b:
                try:
                    s.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            s.sendall(b)

    threading.Thread(target=up, daemon=True).start()
    while True:
        b = s.recv(1 << 16)
        if not b:
            break
        os.write(1, b)


if __name__ == "__main__":
    main()
