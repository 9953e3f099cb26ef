"""python -m app [--host 127.0.0.1] [--port 8000] [--workers N]"""

import argparse

import uvicorn


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m app", description="Serve the CNN & RNN explainer.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args()
    uvicorn.run("app.main:app", host=args.host, port=args.port, workers=args.workers, reload=args.reload)


if __name__ == "__main__":
    main()
