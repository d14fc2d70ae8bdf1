"""Chat benchmark: 1,000 concurrent visitor websockets on one `awn run` process (docs/chat.md, DESIGN.md §10).

    .venv/bin/python bench/chat_bench.py                       # SQLite, in-memory channel layer
    .venv/bin/python bench/chat_bench.py --redis               # the same process on the Redis channel layer
    .venv/bin/python bench/chat_bench.py --visitors 1000 --agents 55 --rate 16.7 --seconds 60

What it does, against a real server process (uvicorn with websockets, as `awn run` serves it):
1. A fresh AWN_HOME (/tmp/awn-chat-bench) is migrated; one team, `--agents` agents (online, 20 chats each),
   one widget, and `--visitors` chats opened and accepted through the chat services (each a ticket on the chat
   channel), so the run starts with that many conversations in progress.
2. The server starts; the agents' desk sockets connect (session cookies). Warm-up: one new chat exchanged end
   to end (first use of every code path).
3. The `--visitors` widget sockets connect and resume their chats (hello with their visitor token, as on a
   new page of the site) and stay idle; the server's resident memory before and after gives the memory per
   idle connection.
4. For `--seconds`, visitors send messages at `--rate` messages per second in total (the default: each of the
   1,000 writes once a minute), each in its own chat; each agent's bot answers a message in its chats the
   moment its desk socket learns of it (the list notice the chat's agent gets, as the console's lists do).
   Timed per message: visitor → agent (the agent's socket has the notice) and the round trip visitor → agent →
   visitor (the visitor's socket has the answer).
   Around each exchange the sockets send what the widget and the console send (unless `--bare`): the visitor
   `typing` on before the message and off after it, and `read` once the answer is shown; the agent `view`s the
   chat (switching to it in the console; the server keeps the last 10 per socket), `read`s the visitor's
   message (the ticket page notice brings it), `typing` on, then answers. And every socket `ping`s every 25 s
   all along, as widget.js and desk.js do: with 1,000 visitors that is 40 frames a second on its own.
5. With the 1,000 still connected, `--new-chats` new visitors open chats at `--new-chat-rate` per second;
   timed until each visitor's acknowledgement (the ticket is created and the chat routed by then).

The bench client (all the sockets, in one asyncio process) runs on the same machine and competes for its
cores; the figures include that. Prints a JSON summary and writes it to bench/out/chat-<label>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

# The server's AWN_HOME (--home); the database right after the setup is saved beside it, in <home>-setup.
HOME = Path("/tmp/awn-chat-bench")
OUT = Path(__file__).resolve().parent / "out"
AWN = str(Path(sys.executable).with_name("awn"))
ORIGIN = "https://shop.bench.test"
PING_SECONDS = 25.0  # widget.js and desk.js

SETUP = """
import json
from django.test import Client
from awn.accounts.models import Role, Team, User
from awn.connectors.chat.models import ChatWidget
from awn.connectors.chat.services import set_availability
team = Team.objects.create(name="Chat")
cookies = []
ids = []
for n in range({agents}):
    agent = User.objects.create_user(email=f"agent{{n}}@support.bench.test", name=f"Agent {{n}}",
                                     role=Role.AGENT)
    team.members.add(agent)
    set_availability(user=agent, availability="online", capacity=20)
    client = Client()
    client.force_login(agent)
    cookies.append(client.cookies["sessionid"].value)
    ids.append(agent.pk)
widget = ChatWidget.objects.create(name="Bench", team=team, allowed_origins=["{origin}"])
from awn.connectors.chat.identity import visitor_token
from awn.connectors.chat.services import accept_chat, greet_visitor, post_visitor_message
from awn.outbox.services import suppress_deliveries
from awn.tickets.services import Actor
tokens = []
with suppress_deliveries():
    for n in range({visitors}):
        visitor = greet_visitor(widget=widget).visitor
        session, _message = post_visitor_message(visitor=visitor, text=f"Hello, this is visitor {{n}}")
        session.refresh_from_db()
        if session.agent is not None:
            accept_chat(session=session, by=Actor.of(session.agent))
        tokens.append(visitor_token(visitor))
print(json.dumps({{"widget": widget.key, "agents": cookies, "ids": ids, "tokens": tokens}}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (the machine is shared: wall time alone says little)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def settle(pid: int, timeout: float = 180) -> None:
    """Wait until the server's resident memory stops growing (less than 1 MiB in 2 s)."""
    deadline, last = time.monotonic() + timeout, rss_kib(pid)
    while time.monotonic() < deadline:
        await asyncio.sleep(2)
        now = rss_kib(pid)
        if abs(now - last) < 1024:
            return
        last = now


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "count": len(values),
        "p50_ms": round(percentile(values, 0.50) * 1000, 1),
        "p95_ms": round(percentile(values, 0.95) * 1000, 1),
        "p99_ms": round(percentile(values, 0.99) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1) if values else float("nan"),
        "mean_ms": round(statistics.fmean(values) * 1000, 1) if values else float("nan"),
    }


class Bench:
    def __init__(
        self, args: argparse.Namespace, port: int, widget: str, agent_cookies: list[str], agent_ids: list[int]
    ) -> None:
        self.args = args
        self.port = port
        self.widget = widget
        self.agent_cookies = agent_cookies
        self.agent_ids = agent_ids
        self.sent: dict[str, float] = {}  # token → when the visitor sent it
        self.to_agent: list[float] = []
        self.round_trip: list[float] = []
        self.first_message: list[float] = []
        self.errors: list[dict] = []
        self.skipped = 0
        self.tokens: list[str] = []
        self.agents: list = []
        self.visitors: list[dict] = []
        self.done: dict[str, asyncio.Future] = {}
        self.session_by_ticket: dict[int, int] = {}
        self.pending_by_ticket: dict[int, str] = {}  # the token a visitor sent last, until the agent sees it
        self.bare = args.bare
        self.frames_sent = 0  # every frame the clients sent in the steady phase (messages and the rest)
        self.counting = False

    # --- agents ------------------------------------------------------------------------------------

    async def agent(self, cookie: str, user_id: int, ready: asyncio.Event) -> None:
        """An agent's desk socket; it answers every visitor message in its own chats the moment the desk
        learns of it (the list notice every agent of the team receives, as the console's lists do)."""
        import websockets

        url = f"ws://127.0.0.1:{self.port}/ws/desk/"
        async with websockets.connect(
            url,
            origin=f"http://127.0.0.1:{self.port}",
            max_queue=None,
            additional_headers={"Cookie": f"sessionid={cookie}"},
        ) as ws:
            self.agents.append(ws)
            ready.set()
            # The chats this console switched to, the latest last (the server keeps 10).
            viewing: list[int] = []
            pinger = None if self.bare else asyncio.create_task(self.pinger(ws))
            async for raw in ws:
                frame = json.loads(raw)
                kind = frame.get("type")
                if (
                    kind == "ticket"
                    and frame.get("name") == "ticket.message_added"
                    and not frame.get("from_staff")
                    and frame.get("assignee") == user_id
                ):
                    ticket = frame["ticket"]
                    token = self.pending_by_ticket.pop(ticket, None)
                    if token is None:
                        continue
                    started = self.sent.get(token)
                    if started is not None:
                        self.to_agent.append(time.perf_counter() - started)
                    session = self.session_by_ticket.get(ticket)
                    if not self.bare:
                        if ticket not in viewing:
                            await self.frame(ws, {"type": "view", "ticket": ticket})
                            viewing.append(ticket)
                            del viewing[:-10]
                        await self.frame(ws, {"type": "typing", "ticket": ticket, "on": True, "public": True})
                    await self.frame(ws, {"type": "reply", "session": session, "text": f"answer ans-{token}"})
                elif (
                    kind == "ticket.page"
                    and not self.bare
                    and not frame.get("from_staff")
                    and (frame.get("message") or {}).get("id")
                ):
                    # The console marks a visitor's message read when it shows it (console.js markRead).
                    await self.frame(
                        ws, {"type": "read", "ticket": frame["ticket"], "upto": frame["message"]["id"]}
                    )
                elif kind == "error":
                    self.errors.append(frame)
            if pinger is not None:
                pinger.cancel()

    async def frame(self, ws, data: dict) -> None:
        if self.counting:
            self.frames_sent += 1
        await ws.send(json.dumps(data))

    async def pinger(self, ws) -> None:
        """`ping` every 25 s from a random moment on, as widget.js and desk.js do."""
        await asyncio.sleep(random.uniform(0, PING_SECONDS))
        while True:
            await self.frame(ws, {"type": "ping"})
            await asyncio.sleep(PING_SECONDS)

    # --- visitors ----------------------------------------------------------------------------------

    async def visitor(self, index: int, token: str = "") -> dict:
        import websockets

        url = f"ws://127.0.0.1:{self.port}/ws/chat/{self.widget}/"
        ws = await websockets.connect(url, origin=ORIGIN, max_queue=None, open_timeout=60)
        hello = {"type": "hello", "token": token, "page": {"url": f"{ORIGIN}/pricing", "title": "Pricing"}}
        await ws.send(json.dumps(hello))
        while (welcome := json.loads(await ws.recv())).get("type") != "welcome":
            pass
        state = {"ws": ws, "index": index}
        if welcome.get("session"):
            state["ticket"] = welcome["session"]["ticket"]
            state["session"] = welcome["session"]["id"]
            self.session_by_ticket[state["ticket"]] = state["session"]
        self.visitors.append(state)
        state["reader"] = asyncio.create_task(self.visitor_reader(state))
        if not self.bare:
            state["pinger"] = asyncio.create_task(self.pinger(ws))
        return state

    async def visitor_reader(self, state: dict) -> None:
        async for raw in state["ws"]:
            frame = json.loads(raw)
            kind = frame.get("type")
            if kind == "ack":
                state["ticket"] = frame["session"]["ticket"]
                state["session"] = frame["session"]["id"]
                self.session_by_ticket[state["ticket"]] = state["session"]
                waiter = self.done.pop(f"ack-{state['index']}", None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(time.perf_counter())
            elif kind == "message" and frame["message"].get("from") == "agent":
                text = frame["message"].get("html", "")
                if "ans-" in text:
                    token = text.split("ans-", 1)[1].split("<", 1)[0]
                    started = self.sent.pop(token, None)
                    if started is not None:
                        self.round_trip.append(time.perf_counter() - started)
                    if not self.bare:  # the widget is open: the answer is seen
                        await self.frame(state["ws"], {"type": "read", "upto": frame["message"]["id"]})
            elif kind == "error":
                self.errors.append(frame)

    async def send(self, state: dict, token: str) -> None:
        if "ticket" not in state:  # its chat never started (counted in the errors)
            self.skipped += 1
            return
        if not self.bare:
            await self.frame(state["ws"], {"type": "typing", "on": True})
        self.sent[token] = time.perf_counter()
        self.pending_by_ticket[state["ticket"]] = token
        await self.frame(state["ws"], {"type": "message", "text": f"question tok-{token}"})
        if not self.bare:
            await self.frame(state["ws"], {"type": "typing", "on": False})

    # --- the run -----------------------------------------------------------------------------------

    async def run(self, server_pid: int) -> dict:
        args = self.args
        # `awn run` loads the language models in the background at start-up (~320 MB, seconds of CPU with
        # the GIL held): start once it has, and measure the connections' memory without it.
        settle_started = time.perf_counter()
        await settle(server_pid)
        print(f"server settled in {time.perf_counter() - settle_started:.0f} s", file=sys.stderr)
        ready_events = []
        agent_tasks = []
        for cookie, user_id in zip(self.agent_cookies, self.agent_ids, strict=True):
            ready = asyncio.Event()
            ready_events.append(ready)
            agent_tasks.append(asyncio.create_task(self.agent(cookie, user_id, ready)))
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in ready_events)), 60)

        # Warm-up: one whole exchange in a new chat.
        warm = await self.visitor(-1)
        await self.start_chat(warm, "warm")
        await self.exchange(warm, "warmup")
        self.to_agent.clear()
        self.round_trip.clear()
        self.first_message.clear()
        await asyncio.sleep(2)
        await settle(server_pid)

        # The visitors of the open chats connect (on another page of the site: hello with their token).
        rss_before = rss_kib(server_pid)
        cpu_connect = cpu_seconds(server_pid)
        connect_started = time.perf_counter()
        semaphore = asyncio.Semaphore(50)

        async def connect(i: int) -> None:
            async with semaphore:
                await self.visitor(i, self.tokens[i])

        await asyncio.gather(*(connect(i) for i in range(args.visitors)))
        connect_seconds = time.perf_counter() - connect_started
        print(f"{len(self.visitors) - 1} visitors connected in {connect_seconds:.0f} s", file=sys.stderr)
        cpu_connect = cpu_seconds(server_pid) - cpu_connect
        await asyncio.sleep(5)
        rss_idle = rss_kib(server_pid)
        crowd = [v for v in self.visitors if v["index"] >= 0]

        # Steady state: messages in the open chats at --rate for --seconds, answered by the agents' bots.
        interval = 1.0 / args.rate
        total = int(args.rate * args.seconds)
        cpu_steady, client_cpu = cpu_seconds(server_pid), time.process_time()
        self.counting = True
        started = time.perf_counter()
        for n in range(total):
            state = crowd[n % len(crowd)]
            await self.send(state, f"m{n}")
            await asyncio.sleep(max(0.0, started + (n + 1) * interval - time.perf_counter()))
        deadline = time.perf_counter() + 30
        while self.sent and time.perf_counter() < deadline:
            await asyncio.sleep(0.2)
        steady_seconds = time.perf_counter() - started
        cpu_steady, client_cpu = cpu_seconds(server_pid) - cpu_steady, time.process_time() - client_cpu
        self.counting = False
        rss_end = rss_kib(server_pid)
        print(f"steady phase: {len(self.round_trip)} round trips in {steady_seconds:.0f} s", file=sys.stderr)

        # New chats while the 1,000 are connected: --new-chats at --new-chat-rate per second.
        newcomers = [await self.visitor(10_000 + n) for n in range(args.new_chats)]
        waits = []
        started = time.perf_counter()
        for n, state in enumerate(newcomers):
            waits.append(asyncio.create_task(self.start_chat(state, f"n{n}")))
            await asyncio.sleep(max(0.0, started + (n + 1) / args.new_chat_rate - time.perf_counter()))
        await asyncio.gather(*waits)

        for visitor in self.visitors:
            visitor["reader"].cancel()
            if "pinger" in visitor:
                visitor["pinger"].cancel()
            await visitor["ws"].close()
        for ws in self.agents:
            await ws.close()
        for task in agent_tasks:
            task.cancel()
        return {
            "visitors": args.visitors,
            "agents": args.agents,
            "rate_per_s": args.rate,
            "seconds": args.seconds,
            "connect_all_s": round(connect_seconds, 1),
            "rss_before_mib": round(rss_before / 1024, 1),
            "rss_idle_mib": round(rss_idle / 1024, 1),
            "rss_end_mib": round(rss_end / 1024, 1),
            "server_cpu_ms_per_connect": round(cpu_connect / max(1, args.visitors) * 1000, 1),
            "steady_wall_s": round(steady_seconds, 1),
            "server_cpu_s_steady": round(cpu_steady, 1),
            "server_cpu_ms_per_round_trip": round(cpu_steady / max(1, len(self.round_trip)) * 1000, 1),
            "frames_sent_steady": self.frames_sent,
            "frames_per_s_steady": round(self.frames_sent / max(steady_seconds, 1e-9), 1),
            "bare": self.bare,
            "client_cpu_s_steady": round(client_cpu, 1),
            "load_average": os.getloadavg(),
            "new_chats": args.new_chats,
            "new_chat_rate_per_s": args.new_chat_rate,
            "kib_per_idle_connection": round((rss_idle - rss_before) / max(1, args.visitors), 1),
            "first_message": summary(self.first_message),
            "visitor_to_agent": summary(self.to_agent),
            "round_trip": summary(self.round_trip),
            "unanswered": len(self.sent),
            "skipped": self.skipped,
            "errors": self.errors[:10],
            "error_count": len(self.errors),
        }

    async def start_chat(self, state: dict, token: str) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self.done[f"ack-{state['index']}"] = waiter
        begun = time.perf_counter()
        await state["ws"].send(json.dumps({"type": "message", "text": f"hello {token}"}))
        try:
            finished = await asyncio.wait_for(waiter, 60)
            self.first_message.append(finished - begun)
        except TimeoutError:
            self.errors.append({"code": "no_ack", "visitor": state["index"]})

    async def exchange(self, state: dict, token: str) -> None:
        await self.send(state, token)
        deadline = time.perf_counter() + 60
        while token in self.sent and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=1000)
    parser.add_argument("--agents", type=int, default=55, help="each takes 20 chats at once")
    parser.add_argument(
        "--rate", type=float, default=1000 / 60, help="messages per second, all visitors together"
    )
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--new-chats", type=int, default=50, help="chats opened after the steady phase")
    parser.add_argument("--new-chat-rate", type=float, default=2.0, help="new chats per second")
    parser.add_argument(
        "--redis", action="store_true", help="use the Redis channel layer (redis://127.0.0.1:6379/12)"
    )
    parser.add_argument("--label", default="")
    parser.add_argument(
        "--bare",
        action="store_true",
        help="only the messages and answers: no pings, typing, views or read receipts (earlier runs' load)",
    )
    parser.add_argument("--home", type=Path, default=HOME, help="AWN_HOME of the server (deleted first)")
    parser.add_argument(
        "--reuse-setup",
        action="store_true",
        help="start from the database saved after a previous run's setup",
    )
    args = parser.parse_args()
    label = args.label or ("redis" if args.redis else "memory")

    home = args.home
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "AWN_TEST"))}
    env.update(
        {
            "AWN_HOME": str(home),
            "AWN_DATABASE_URL": f"sqlite:///{home / 'awn.sqlite3'}",
            "AWN_SECRET_KEY": "chat-bench",
            "AWN_LOG_LEVEL": "WARNING",
            # One machine plays every visitor: lift the per-IP limits, keep the per-visitor ones.
            "AWN_CHAT_CONNECTIONS_PER_MINUTE": "0",
            "AWN_CHAT_NEW_VISITORS_PER_HOUR": "0",
            "AWN_CHAT_IP_MESSAGES_PER_MINUTE": "0",
        }
    )
    if args.redis:
        env["AWN_REDIS_URL"] = "redis://127.0.0.1:6379/12"
    else:
        env.pop("AWN_REDIS_URL", None)
    # The 1,000 chats take minutes to open on a busy machine: --reuse-setup starts from a copy of the database
    # a previous run saved right after its setup (same --visitors and --agents), not from its end state.
    saved = home.with_name(home.name + "-setup") / f"{args.visitors}-{args.agents}"
    if args.reuse_setup and (saved / "setup.json").exists():
        shutil.copy(saved / "awn.sqlite3", home / "awn.sqlite3")
        subprocess.run([AWN, "manage", "migrate", "--verbosity", "0"], env=env, check=True)  # newer code
        data = json.loads((saved / "setup.json").read_text())
    else:
        subprocess.run([AWN, "manage", "migrate", "--verbosity", "0"], env=env, check=True)
        setup = subprocess.run(
            [
                AWN,
                "manage",
                "shell",
                "-c",
                SETUP.format(agents=args.agents, origin=ORIGIN, visitors=args.visitors),
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        data = json.loads(setup.stdout.strip().splitlines()[-1])
        shutil.rmtree(saved, ignore_errors=True)
        saved.mkdir(parents=True)
        backup = sqlite3.connect(saved / "awn.sqlite3")
        with sqlite3.connect(home / "awn.sqlite3") as source:
            source.backup(backup)
        backup.close()
        (saved / "setup.json").write_text(json.dumps(data))
    port = free_port()
    log = open(home / "server.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(
        [AWN, "run", "--port", str(port), "--no-worker", "--log-level", "warning"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("awn run did not start; see " + str(home / "server.log")) from None
                time.sleep(0.2)
        bench = Bench(args, port, data["widget"], data["agents"], data["ids"])
        bench.tokens = data["tokens"]
        result = asyncio.run(bench.run(server.pid))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
    result.update(
        {
            "label": label,
            "channel_layer": "redis" if args.redis else "in-memory",
            "database": "sqlite",
            "cpus": os.cpu_count(),
        }
    )
    OUT.mkdir(exist_ok=True)
    (OUT / f"chat-{label}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
