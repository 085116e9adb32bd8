"""Text of the server's shared job queue, on every page that sends work to it."""

TEXT = {
    "queue.joining": {"en": "Joining the queue…", "ko": "대기열에 들어가는 중…"},
    "queue.ahead": {
        "en": "Waiting for a free slot: {ahead} job(s) ahead of yours, {running} running now",
        "ko": "빈자리를 기다리는 중: 내 앞에 작업 {ahead}개, 지금 {running}개 실행 중",
    },
    "queue.next": {
        "en": "Yours is next: it starts when one of the {running} running jobs ends",
        "ko": "다음 차례입니다. 실행 중인 작업 {running}개 중 하나가 끝나면 시작합니다",
    },
    "queue.estimate": {"en": "{place} · starts in about {time}", "ko": "{place} · 약 {time} 후 시작"},
    "queue.no_estimate": {
        "en": "{place} · no estimate yet (too few jobs like these have finished on this server)",
        "ko": "{place} · 아직 예상 시간 없음 (이 서버에서 끝난 비슷한 작업이 아직 적습니다)",
    },
    "queue.before_start": {
        "en": "Ready in about {total}: {ahead} job(s) waiting ahead of yours and {running} running, {slots} at a "
              "time, so yours starts in about {wait}; then about {run} of training.",
        "ko": "약 {total} 후 완료 예상: 내 앞에 대기 중인 작업 {ahead}개, 실행 중 {running}개(한 번에 {slots}개씩)라 "
              "약 {wait} 후 시작하고, 그다음 학습에 약 {run}이 걸립니다.",
    },
    "queue.before_start_free": {
        "en": "Expected time: about {run}. A slot is free ({running} of {slots} running now), so it starts at once.",
        "ko": "예상 시간: 약 {run}. 빈자리가 있어(지금 {slots}개 중 {running}개 실행 중) 바로 시작합니다.",
    },
    "queue.before_start_unknown": {
        "en": "{ahead} job(s) waiting ahead of yours and {running} running, {slots} at a time: no estimate yet of "
              "when yours starts; then about {run} of training.",
        "ko": "내 앞에 대기 중인 작업 {ahead}개, 실행 중 {running}개(한 번에 {slots}개씩): 언제 시작할지는 아직 "
              "예상할 수 없고, 시작하면 학습에 약 {run}이 걸립니다.",
    },
    "queue.help": {
        "en": "This server runs only a few jobs at once, first come first served. You can switch pages: your job "
              "keeps its place while this tab is open, and Stop takes it out of the queue.",
        "ko": "이 서버는 한 번에 몇 개의 작업만 먼저 온 순서대로 실행합니다. 다른 페이지로 가도 이 탭이 열려 있는 "
              "동안 순서가 유지되며, 중지를 누르면 대기열에서 빠집니다.",
    },
    "queue.per_user": {"en": "{help} Each person may have {count} job(s) here at a time.",
                       "ko": "{help} 한 사람당 한 번에 작업 {count}개까지 둘 수 있습니다."},
    "queue.kind.train": {"en": "the training of \"{name}\"", "ko": "\"{name}\" 학습"},
    "queue.kind.anomaly": {"en": "the detector for \"{name}\"", "ko": "\"{name}\" 탐지기 학습"},
    "queue.kind.manifold": {"en": "the roll's {name}", "ko": "롤의 {name} 학습"},
    "queue.kind.map": {"en": "the {name} map", "ko": "{name} 지도 계산"},
    "queue.busy_waiting": {
        "en": "You already have a job in this server's queue: {what}, waiting at place {place}. Each person runs "
              "one job at a time; this one can start when it is done or stopped on its page.",
        "ko": "이 서버의 대기열에 이미 내 작업이 있습니다: {what}, {place}번째로 대기 중. 한 사람당 한 번에 작업 "
              "하나만 실행되므로, 그 작업이 끝나거나 그 페이지에서 중지되면 이 작업을 시작할 수 있습니다.",
    },
    "queue.busy_running": {
        "en": "You already have a job running on this server: {what}. Each person runs one job at a time; this one "
              "can start when it is done or stopped on its page.",
        "ko": "이 서버에서 이미 내 작업이 실행 중입니다: {what}. 한 사람당 한 번에 작업 하나만 실행되므로, 그 작업이 "
              "끝나거나 그 페이지에서 중지되면 이 작업을 시작할 수 있습니다.",
    },
    "queue.sidebar": {"en": "Queued: {what}. {place}", "ko": "대기 중: {what}. {place}"},
    "queue.progress": {
        "en": "Epoch {epoch}/{epochs} · {elapsed} elapsed · about {eta} left",
        "ko": "에포크 {epoch}/{epochs} · {elapsed} 경과 · 약 {eta} 남음",
    },
    "queue.starting": {"en": "Starting…", "ko": "시작하는 중…"},
    "queue.stop": {"en": "Stop", "ko": "중지"},
    "queue.timed_out": {
        "en": "Stopped at this server's time limit of {time} per job.",
        "ko": "이 서버의 작업당 시간 제한({time})에 도달해 중지했습니다.",
    },
    "queue.cancelled": {
        "en": "The job left the queue before it started: nothing was computed.",
        "ko": "작업이 시작하기 전에 대기열에서 빠졌습니다. 계산된 것이 없습니다.",
    },
    "queue.stopped": {"en": "Stopped before it was done: nothing was kept.", "ko": "끝나기 전에 중지했습니다. 남은 것이 없습니다."},
    "queue.retry": {"en": "Try again", "ko": "다시 시도"},
}
