"""python -m app [--host 127.0.0.1] [--port 8000] [--uds PATH] [--workers N]

Serves the app with uvicorn and the limits of app/server.py (timeouts, header and connection caps).
Bound to a loopback address (the default), the app answers only requests for loopback host names;
for a classroom LAN: `--host 0.0.0.0` with `ALLOWED_HOSTS=192.168.1.20,explainer.local` (app/middleware.py).
"""

import argparse

from app import server


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m app", description="Serve the CNN & RNN explainer.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--uds", help="listen on this Unix socket instead of host and port (behind nginx)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--no-access-log", action="store_true", help="do not log every request")
    args = parser.parse_args()
    where = {"uds": args.uds} if args.uds else {"host": args.host, "port": args.port}
    server.run(**where, workers=args.workers, reload=args.reload, access_log=not args.no_access_log)


if __name__ == "__main__":
    main()
