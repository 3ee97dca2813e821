"""A test-only export type, `slow_chat_logs`: the chat logs, a pause before each row.

It lets a test kill a worker in the middle of an export. The pause is
EXPORT_TEST_ROW_DELAY_SECONDS from the environment of the process that runs
the export (0 when unset), so one test can start a slow worker and a fast one.
"""

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass

from exports.models import ExportType
from exports.sources import SOURCES, ExportSource

SLOW_CHAT_LOGS = "slow_chat_logs"


@dataclass(frozen=True)
class SlowExportSource(ExportSource):
    row_delay_seconds: float = 0.0

    def rows(self, workspace, filters: dict) -> Iterator[dict]:
        for row in super().rows(workspace, filters):
            time.sleep(self.row_delay_seconds)
            yield row


def register_slow_export_source() -> None:
    chat_logs = SOURCES[ExportType.CHAT_LOGS]
    SOURCES[SLOW_CHAT_LOGS] = SlowExportSource(
        filter_serializer=chat_logs.filter_serializer,
        serializer=chat_logs.serializer,
        queryset=chat_logs.queryset,
        row_delay_seconds=float(os.environ.get("EXPORT_TEST_ROW_DELAY_SECONDS", "0")),
    )
