"""Plans as jobs on Dask, with real processes: a `dask scheduler`, two `dask worker`s and the service under uvicorn
on a SQLite file, all on 127.0.0.1. A worker killed mid-job and a service killed mid-job must both still end in
exactly one stored plan. The in-process tests (TestClient, SQLite and PostgreSQL) cover the HTTP contract on the
service's own local cluster.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest
from distributed import Client
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from sample_routes.renamed import tiny_office_copy
from service.access.tokens import create_token
from service.app import create_app
from service.core.db import make_engine, migrate
from service.core.tables import Job, JobStatus, Plan
from service.jobs import lifecycle
from service.jobs.lifecycle import LEASE_ENV
from service.jobs.limits import JobLimits
from service.master_data.bundle import load_bundle
from service.solving import dask_runner
from service.solving.dask_runner import SCHEDULER_ENV
from tests.service.journey_office import TINY_SAMPLE, load_tiny_sample

BIN = Path(sys.executable).parent
START_DATE = "2026-11-30"
SLOW_REP_S = 3  # per rep: long enough to kill a process while the reps are being solved
LEASE_S = 2  # a killed service's jobs are taken over after this


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, check: Callable[[], object], timeout_s: float = 60, every_s: float = 0.2):
    """The first truthy answer of `check`, asked until `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        answer = check()
        if answer:
            return answer
        time.sleep(every_s)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


def until_ended(read_job: Callable[[], dict], timeout_s: float = 60) -> dict:
    """The job (as GET /jobs/{id} shows it) once it is no longer queued or running."""

    def ended() -> dict | None:
        job = read_job()
        return job if job["status"] not in ("queued", "running") else None

    return wait_for("the job to end", ended, timeout_s)


def spawn(args: list, log_path: Path, **popen) -> subprocess.Popen:
    """A process writing its output to `log_path` (the child keeps the file open, this process does not)."""
    with log_path.open("a") as log:
        return subprocess.Popen([str(a) for a in args], stdout=log, stderr=subprocess.STDOUT, **popen)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class DaskCluster:
    address: str
    logs: Path
    workers: dict[str, subprocess.Popen]  # by worker name
    client: Client | None = None

    def start_worker(self, name: str) -> None:
        self.workers[name] = spawn(
            [
                BIN / "dask",
                "worker",
                self.address,
                "--name",
                name,
                "--nthreads",
                "1",
                "--no-nanny",
                "--host",
                "127.0.0.1",
                "--no-dashboard",
            ],
            self.logs / f"{name}.log",
        )

    def ready(self) -> DaskCluster:
        """Two live workers (a killed one replaced) and no task left over from an earlier test."""
        for name in ("w0", "w1"):
            if name not in self.workers or self.workers[name].poll() is not None:
                self.start_worker(name)
        self.client.wait_for_workers(2, timeout=30)
        wait_for("the scheduler to forget earlier tasks", lambda: self.task_keys() == [], timeout_s=20)
        return self

    def task_keys(self) -> list[str]:
        return self.client.run_on_scheduler(lambda dask_scheduler: [str(k) for k in dask_scheduler.tasks])

    def solving(self) -> int:
        """Tasks the workers' threads are running now, cancelled ones included (Dask cannot interrupt a task)."""
        return sum(self.client.run(lambda dask_worker: dask_worker.state.executing_count).values())

    def busy_worker(self) -> str | None:
        """The name of a worker solving a task now, if any."""
        names = {addr: info["name"] for addr, info in self.client.scheduler_info()["workers"].items()}
        return next((names[addr] for addr, keys in self.client.processing().items() if keys), None)


@pytest.fixture(scope="module")
def running_cluster(tmp_path_factory) -> Iterator[DaskCluster]:
    """A `dask scheduler` and two single-threaded `dask worker`s on 127.0.0.1, stopped by pid at the end."""
    port = free_port()
    logs = tmp_path_factory.mktemp("dask")
    scheduler = spawn(
        [BIN / "dask", "scheduler", "--host", "127.0.0.1", "--port", port, "--dashboard-address", "127.0.0.1:0"],
        logs / "scheduler.log",
    )
    cluster = DaskCluster(f"tcp://127.0.0.1:{port}", logs, {})
    try:
        cluster.start_worker("w0")
        cluster.start_worker("w1")
        cluster.client = Client(cluster.address, timeout=30, set_as_default=False)
        yield cluster
    finally:
        if cluster.client is not None:
            cluster.client.close()
        for worker in cluster.workers.values():
            stop(worker)
        stop(scheduler)


@pytest.fixture
def dask_cluster(running_cluster: DaskCluster) -> DaskCluster:
    return running_cluster.ready()


@dataclass
class Service:
    base_url: str
    process: subprocess.Popen
    headers: dict[str, str]  # a global admin's token

    def job(self, job_id: int) -> dict:
        response = httpx.get(f"{self.base_url}/jobs/{job_id}", headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def tiny_database(tmp_path) -> tuple[str, int]:
    """A SQLite file with the tiny sample office loaded: (url, office id)."""
    url = f"sqlite:///{tmp_path / 'routeplan.db'}"
    migrate(url)
    engine = make_engine(url, pooled=False)
    with Session(engine) as session:
        office_id = load_bundle(session, TINY_SAMPLE).id
        session.commit()
    engine.dispose()
    return url, office_id


@pytest.fixture
def start_service(tmp_path) -> Iterator[Callable[[str, str], Service]]:
    """Starts `uvicorn service.app:create_app` on a database and a scheduler (or its own local cluster); stops
    what it started."""
    started: list[subprocess.Popen] = []

    def start(database_url: str, scheduler_address: str | None) -> Service:
        """None: the service starts its own local cluster."""
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k != SCHEDULER_ENV} | {
            "DATABASE_URL": database_url,
            LEASE_ENV: str(LEASE_S),
        }
        if scheduler_address:
            env[SCHEDULER_ENV] = scheduler_address
        log = tmp_path / f"service-{port}.log"
        process = spawn(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "service.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                port,
            ],
            log,
            env=env,
            cwd=tmp_path,
        )
        started.append(process)
        service = Service(f"http://127.0.0.1:{port}", process, admin_headers(database_url))

        def healthy() -> bool:
            assert process.poll() is None, f"the service exited: see {log}"
            try:
                return httpx.get(f"{service.base_url}/health").status_code == 200
            except httpx.TransportError:
                return False

        wait_for("the service to answer", healthy, timeout_s=30)
        return service

    yield start
    for process in started:
        stop(process)


def admin_headers(database_url: str) -> dict[str, str]:
    engine = make_engine(database_url, pooled=False)
    try:
        with Session(engine) as session:
            _, raw = create_token(session, role="admin", name="test admin")
            session.commit()
    finally:
        engine.dispose()
    return {"Authorization": f"Bearer {raw}"}


def post_plan(service: Service, office_id: int, time_limit_s: float = SLOW_REP_S) -> int:
    response = httpx.post(
        f"{service.base_url}/plans",
        params={"wait": "false"},
        headers=service.headers,
        json={"office_id": office_id, "start_date": START_DATE, "time_limit_s": time_limit_s},
    )
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["location"] == f"/jobs/{job['id']}"
    assert job["status"] in ("queued", "running") and job["kind"] == "plan"
    return job["id"]


def stored(database_url: str, table: type) -> list:
    engine = make_engine(database_url, pooled=False)
    try:
        with Session(engine) as session:
            return list(session.exec(select(table)).all())
    finally:
        engine.dispose()


def check_one_complete_plan(service: Service, database_url: str, office_id: int, job: dict) -> None:
    assert job["status"] == "succeeded", job
    assert job["reps_solved"] == job["reps_total"] == 2
    [plan] = stored(database_url, Plan)
    assert job["plan_id"] == plan.id and job["location"] == f"/plans/{plan.id}"
    listed = httpx.get(f"{service.base_url}/plans", params={"office_id": office_id}, headers=service.headers).json()
    assert [p["id"] for p in listed] == [plan.id]
    body = httpx.get(f"{service.base_url}{job['location']}", headers=service.headers).json()
    assert body["kpis"]["coverage"] == 1.0
    assert {d["rep_code"] for d in body["days"]} == {"TINY-R01", "TINY-R02"}


def test_worker_killed_mid_job_its_rep_is_solved_elsewhere_and_one_plan_stored(
    dask_cluster, tiny_database, start_service
):
    database_url, office_id = tiny_database
    service = start_service(database_url, dask_cluster.address)
    job_id = post_plan(service, office_id)

    busy = wait_for("a worker solving a rep", dask_cluster.busy_worker, timeout_s=20, every_s=0.05)
    running = service.job(job_id)
    assert running["status"] == "running" and running["reps_total"] == 2 and running["reps_solved"] == 0
    dask_cluster.workers[busy].send_signal(signal.SIGKILL)

    job = until_ended(lambda: service.job(job_id))
    assert dask_cluster.workers[busy].poll() is not None
    assert job["attempts"] == 1  # the same run finished: the scheduler ran the lost rep on the other worker
    check_one_complete_plan(service, database_url, office_id, job)


@pytest.mark.parametrize("stop_signal", [signal.SIGKILL, signal.SIGTERM], ids=["killed", "shut-down"])
def test_service_gone_mid_job_the_restarted_service_finishes_it_and_stores_it_once(
    dask_cluster, tiny_database, start_service, stop_signal
):
    database_url, office_id = tiny_database
    first = start_service(database_url, dask_cluster.address)
    job_id = post_plan(first, office_id)
    wait_for("a worker solving a rep", dask_cluster.busy_worker, timeout_s=20, every_s=0.05)
    assert first.job(job_id)["status"] == "running"
    first.process.send_signal(stop_signal)
    first.process.wait(30)
    # killed: the job stays with the dead process until its lease runs out; shut down: it is handed back at once
    [left] = stored(database_url, Job)
    assert (left.status, left.owner is None) == (
        (JobStatus.RUNNING, False) if stop_signal == signal.SIGKILL else (JobStatus.QUEUED, True)
    )

    second = start_service(database_url, dask_cluster.address)
    job = until_ended(lambda: second.job(job_id))
    assert job["attempts"] == 2
    check_one_complete_plan(second, database_url, office_id, job)


def test_cancelled_job_stops_its_tasks_and_stores_nothing(dask_cluster, tiny_database, start_service):
    database_url, office_id = tiny_database
    service = start_service(database_url, dask_cluster.address)
    job_id = post_plan(service, office_id)
    wait_for("a worker solving a rep", dask_cluster.busy_worker, timeout_s=20, every_s=0.05)

    response = httpx.post(f"{service.base_url}/jobs/{job_id}/cancel", headers=service.headers)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    wait_for("the scheduler to drop the job's tasks", lambda: dask_cluster.task_keys() == [], timeout_s=10)
    time.sleep(SLOW_REP_S + 1)  # past the time the reps would have been solved in
    job = service.job(job_id)
    assert (job["status"], job["plan_id"]) == ("cancelled", None)
    assert stored(database_url, Plan) == []
    again = httpx.delete(f"{service.base_url}/jobs/{job_id}", headers=service.headers)
    assert again.status_code == 409 and "cancelled" in again.json()["detail"][0]["msg"]


def test_cancel_ends_the_searches_and_another_office_plans_in_its_own_time(
    dask_cluster, tiny_database, start_service, tmp_path
):
    database_url, office_id = tiny_database
    engine = make_engine(database_url, pooled=False)
    with Session(engine) as session:
        other_office_id = load_bundle(session, tiny_office_copy(tmp_path / "other-office")).id
        session.commit()
    engine.dispose()
    service = start_service(database_url, dask_cluster.address)

    hour_long = post_plan(service, office_id, time_limit_s=3600)
    wait_for("both workers solving the hour-long reps", lambda: dask_cluster.solving() == 2, timeout_s=30, every_s=0.1)
    assert httpx.post(f"{service.base_url}/jobs/{hour_long}/cancel", headers=service.headers).status_code == 200
    wait_for("the workers to end the cancelled searches", lambda: dask_cluster.solving() == 0, timeout_s=15)

    second = post_plan(service, other_office_id)
    # ends in its own 2 x 3 s of solving, not behind the cancelled hour
    assert until_ended(lambda: service.job(second), timeout_s=60)["status"] == "succeeded"
    assert service.job(hour_long)["status"] == "cancelled"
    assert [p.office_id for p in stored(database_url, Plan)] == [other_office_id]


def local_workers(service: Service) -> list[psutil.Process]:
    """The worker processes of the service's own local Dask cluster (multiprocessing children)."""
    return [
        child
        for child in psutil.Process(service.process.pid).children()
        if any("spawn_main" in part for part in child.cmdline())
    ]


def test_a_killed_worker_of_the_local_cluster_is_replaced(tiny_database, start_service):
    database_url, office_id = tiny_database
    service = start_service(database_url, None)
    warm_up = post_plan(service, office_id, time_limit_s=0.5)  # the first job starts the cluster
    assert until_ended(lambda: service.job(warm_up))["status"] == "succeeded"
    workers = local_workers(service)
    assert len(workers) == 2

    job_id = post_plan(service, office_id)
    wait_for("the job to run", lambda: service.job(job_id)["status"] == "running", timeout_s=30, every_s=0.05)
    time.sleep(1)  # both workers are now solving a rep (3 s each)
    workers[0].kill()
    assert until_ended(lambda: service.job(job_id))["status"] == "succeeded"

    wait_for(
        "a new worker in place of the killed one",
        lambda: len(local_workers(service)) == 2 and workers[0].pid not in {w.pid for w in local_workers(service)},
        timeout_s=60,
    )
    again = post_plan(service, office_id)
    assert until_ended(lambda: service.job(again))["status"] == "succeeded"
    assert len(stored(database_url, Plan)) == 3


# --- in process (TestClient, the service's local Dask cluster), on SQLite and PostgreSQL ---------------------------


def test_plan_job_reports_progress_and_where_its_plan_is(app, client, db_session):
    tiny = load_tiny_sample(app, client)
    response = client.post(
        "/plans",
        params={"wait": "false"},
        json={"office_id": tiny["office"]["id"], "start_date": START_DATE, "time_limit_s": 0.5},
    )
    assert response.status_code == 202, response.text
    location = response.headers["location"]
    job = until_ended(lambda: client.get(location).json())
    assert job["status"] == "succeeded", job
    assert (job["reps_solved"], job["reps_total"], job["attempts"]) == (2, 2, 1)
    assert job["request"]["office_id"] == tiny["office"]["id"] and job["request"]["start_date"] == START_DATE
    assert job["elapsed_s"] >= 0.5 and job["error"] == ""
    plan = client.get(job["location"]).json()
    assert plan["kpis"]["coverage"] == 1.0
    assert db_session.exec(select(func.count()).select_from(Plan)).one() == 1
    assert client.post(f"{location}/cancel").status_code == 409


def test_office_too_large_to_wait_for_answers_202_without_being_asked(client, office, supervisor, rep):
    # 31 reps x 1 s of solver time is more than POST /plans waits for (30 s); with no outlets nothing is solved
    for k in range(2, 32):
        body = {
            key: rep[key]
            for key in (
                "office_id",
                "supervisor_id",
                "shift_start",
                "shift_end",
                "lunch_earliest",
                "lunch_latest",
                "lunch_min",
                "travel_mode",
            )
        }
        assert client.post("/reps", json=body | {"code": f"R{k:02d}", "name": f"Rep {k}"}).status_code == 201
    response = client.post("/plans", json={"office_id": office["id"], "start_date": START_DATE, "time_limit_s": 1})
    assert response.status_code == 202, response.text
    job = until_ended(lambda: client.get(response.headers["location"]).json())
    assert (job["status"], job["reps_total"]) == ("succeeded", 0)
    waited = client.post(
        "/plans", params={"wait": "true"}, json={"office_id": office["id"], "start_date": START_DATE, "time_limit_s": 1}
    )
    assert waited.status_code == 201 and waited.json()["id"] != job["plan_id"]


def test_unknown_job_is_404(client):
    for response in (client.get("/jobs/999999"), client.post("/jobs/999999/cancel"), client.delete("/jobs/999999")):
        assert response.status_code == 404
        assert response.json()["detail"][0]["loc"] == ["path", "job_id"]


def test_unreachable_scheduler_is_503_and_the_failed_job_says_why(app, client, db_session, database_url, monkeypatch):
    tiny = load_tiny_sample(app, client)
    nowhere = f"tcp://127.0.0.1:{free_port()}"
    monkeypatch.setenv(SCHEDULER_ENV, nowhere)
    monkeypatch.setattr(dask_runner, "CONNECT_TIMEOUT_S", 1)
    elsewhere = create_app(database_url)  # a second service process, configured for a scheduler that is not there
    with TestClient(elsewhere, headers={"Authorization": client.headers["Authorization"]}) as other:
        response = other.post(
            "/plans", json={"office_id": tiny["office"]["id"], "start_date": START_DATE, "time_limit_s": 0.5}
        )
    elsewhere.state.engine.dispose()
    assert response.status_code == 503, response.text
    assert nowhere in response.json()["detail"][0]["msg"]
    [job] = db_session.exec(select(Job)).all()
    assert job.status == JobStatus.FAILED and nowhere in job.error and job.finished_at is not None
    assert db_session.exec(select(Plan)).all() == []


def test_failed_job_says_why_and_stores_nothing(app, client, db_session, monkeypatch, tmp_path):
    tiny = load_tiny_sample(app, client)
    road_engine = f"http://127.0.0.1:{free_port()}"  # configured, but nothing serves there
    monkeypatch.setenv("ROUTEPLAN_OSRM_URL", road_engine)
    monkeypatch.setenv("ROUTEPLAN_OSRM_DATA_VERSION", "2026-11")
    monkeypatch.setenv("ROUTEPLAN_MATRIX_CACHE", str(tmp_path / "matrix.sqlite"))
    response = client.post(
        "/plans",
        params={"wait": "false"},
        json={"office_id": tiny["office"]["id"], "start_date": START_DATE, "time_limit_s": 0.5},
    )
    assert response.status_code == 202, response.text
    job = until_ended(lambda: client.get(response.headers["location"]).json())
    assert (job["status"], job["plan_id"], job["location"]) == ("failed", None, None)
    assert job["error"].startswith("travel_engine.") and road_engine in job["error"]
    assert db_session.exec(select(Plan)).all() == []


def test_a_job_of_a_kind_this_service_does_not_run_fails_naming_the_kind(app, client, db_session):
    runner = app.state.jobs
    job = lifecycle.create(db_session, "route_review", {"office_id": 1}, runner.owner, runner.lease_s)
    db_session.commit()
    with pytest.raises(ValueError, match="route_review"):
        runner.run_now(job.id)
    stored = client.get(f"/jobs/{job.id}").json()
    assert stored["status"] == "failed" and "'route_review'" in stored["error"] and "plan" in stored["error"]
    assert db_session.exec(select(Plan)).all() == []


def test_an_office_and_a_token_hold_a_few_plan_jobs_at_once_beyond_that_429_with_retry_after(
    app, client, office, token_for
):
    tiny = load_tiny_sample(app, client)
    plan = {"office_id": tiny["office"]["id"], "start_date": START_DATE}
    saved, app.state.job_limits = app.state.job_limits, JobLimits(jobs=2, solver_s=1000)
    try:
        # one job over the solver-time limit can never fit: 422 naming the field to lower
        alone = client.post("/plans", params={"wait": "false"}, json=plan | {"time_limit_s": 501})  # 2 reps
        assert alone.status_code == 422 and alone.json()["detail"][0]["loc"] == ["body", "time_limit_s"]

        first = client.post("/plans", params={"wait": "false"}, json=plan | {"time_limit_s": 400})
        assert first.status_code == 202, first.text
        # 800 s held, 2 x 150 s more would pass 1000 s
        more = client.post("/plans", params={"wait": "false"}, json=plan | {"time_limit_s": 150})
        assert more.status_code == 429, more.text
        assert (
            f"office {plan['office_id']}" in more.json()["detail"][0]["msg"]
            and "solver time" in more.json()["detail"][0]["msg"]
        )
        assert 1 <= int(more.headers["retry-after"]) <= 400  # the first job's 800 s over the cluster's workers
        second = client.post("/plans", params={"wait": "false"}, json=plan | {"time_limit_s": 50})
        assert second.status_code == 202, second.text
        third = client.post("/plans", params={"wait": "false"}, json=plan | {"time_limit_s": 1})
        assert third.status_code == 429 and "2 plan jobs" in third.json()["detail"][0]["msg"]

        # the same token in another office: its own jobs count against it too; another token is free
        elsewhere = {"office_id": office["id"], "start_date": START_DATE, "time_limit_s": 1}
        refused = client.post("/plans", params={"wait": "false"}, json=elsewhere)
        assert refused.status_code == 429 and "this token" in refused.json()["detail"][0]["msg"]
        other_admin = token_for("admin")
        assert client.post("/plans", params={"wait": "false"}, json=elsewhere, headers=other_admin).status_code == 202

        # a cancelled job frees its place at once
        assert client.post(first.headers["location"] + "/cancel").status_code == 200
        again = client.post("/plans", params={"wait": "false"}, json=plan | {"time_limit_s": 0.5})
        assert again.status_code == 202, again.text
        assert client.post(second.headers["location"] + "/cancel").status_code == 200
        assert until_ended(lambda: client.get(again.headers["location"]).json())["status"] == "succeeded"
    finally:
        app.state.job_limits = saved
