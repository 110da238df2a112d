"""Lambda's DynamoDB event-source mapping, for one function in this process (the local
stack runs one process per mapping: the processor's and the publisher's).

It polls the stream shard by shard, applies the filter pattern, batches by size and
window, invokes the handler with Lambda-shaped events, and leaves retries, bisection
and the on-failure destination to devstack/mapping.py. One JSON line per invocation.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.event_filter import matches
from devstack import mapping
from devstack.lambda_shapes import LambdaContext, Record, failure_record, lambda_record, sequence_number
from devstack.shards import Shard, ShardReader
from devstack.worker_process import Handler, JsonLog

REFRESH_EVERY_S = 5.0
MAX_IDLE_POLL_S = 0.25
log = JsonLog("devstack.stream_worker")


class StreamWorker:
    def __init__(
        self,
        reader: ShardReader,
        handler: Handler,
        settings: mapping.Settings,
        filter_pattern: dict[str, Any],
        sqs: Any,
        dlq_url: str,
        stream_arn: str,
        function_name: str,
        region: str,
        idle_poll_s: float = 0.05,
    ) -> None:
        self.reader, self.handler, self.settings, self.filter_pattern = reader, handler, settings, filter_pattern
        self.sqs, self.dlq_url, self.stream_arn = sqs, dlq_url, stream_arn
        self.function_name, self.region, self.idle_poll_s = function_name, region, idle_poll_s
        self.stop = threading.Event()

    def run(self) -> None:
        refreshed, pause = time.monotonic(), self.idle_poll_s
        while not self.stop.is_set():
            worked, gathering = False, False
            for shard in self.reader.ready():
                worked = self._step(shard) or bool(shard.buffer) or worked
                gathering = gathering or bool(shard.buffer)
            if time.monotonic() - refreshed > REFRESH_EVERY_S:
                refreshed = time.monotonic()
                self.attempt(self.reader.refresh)
            # An empty GetRecords costs moto ~8 ms of CPU: back off while idle, up to
            # Lambda's own rate of four polls a second per shard. A batch gathering within
            # its batching window is read at that rate too, as Lambda reads it.
            pause = self.idle_poll_s if worked else min(pause * 2, MAX_IDLE_POLL_S)
            if gathering:
                self.stop.wait(MAX_IDLE_POLL_S)
            elif not worked:
                self.stop.wait(pause)

    def attempt(self, action: Callable[[], object]) -> bool:
        try:
            action()
        except (ClientError, BotoCoreError) as error:
            if not self.stop.is_set():  # while stopping, moto may already be gone
                log(
                    "stream read failed; retrying from the checkpoint",
                    "WARNING",
                    function=self.function_name,
                    error=repr(error),
                )
                self.stop.wait(0.5)
            return False
        return True

    def _step(self, shard: Shard) -> bool:
        """Read once from `shard`; deliver its buffer when the batch is full or due."""
        limit = max(1, self.settings.batch_size - len(shard.buffer))
        page: list[Record] = []
        if not shard.exhausted and not self.attempt(lambda: page.extend(self.reader.read(shard, limit))):
            return False
        if page and not shard.buffer:
            shard.buffered_since = time.monotonic()
        shard.buffer.extend(page)
        waited = time.monotonic() - shard.buffered_since
        due = shard.exhausted or len(shard.buffer) >= self.settings.batch_size
        if shard.buffer and (due or waited >= self.settings.batching_window_s):
            raw, shard.buffer = shard.buffer, []
            if not self.attempt(lambda: self._deliver(shard, raw)):
                self.reader.rewind(shard)
                return False
        if shard.exhausted and not shard.buffer and not self.stop.is_set():
            log("shard finished; its children may start", function=self.function_name, shard_id=shard.shard_id)
            self.attempt(lambda: self.reader.finish(shard))
        return bool(page)

    def _deliver(self, shard: Shard, raw: list[Record]) -> None:
        records = [lambda_record(record, self.stream_arn, self.region) for record in raw]
        wanted = [record for record in records if matches(self.filter_pattern, record)]
        finished = mapping.deliver(
            wanted,
            self.settings,
            invoke=lambda batch: self._invoke(shard, batch),
            dead_letter=lambda batch, condition, last, count: self._dead_letter(shard, batch, condition, last, count),
            advance=lambda record: self.reader.done(shard, sequence_number(record)),
            stopping=self.stop.is_set,
        )
        last = sequence_number(records[-1])
        if finished and shard.checkpoint.sequence_number != last:
            self.reader.done(shard, last)  # records the filter dropped count as done, as in Lambda

    def _invoke(self, shard: Shard, batch: list[Record]) -> mapping.Result:
        context = LambdaContext(self.function_name, self.region)
        started = time.perf_counter()
        error: str | None = None
        try:
            response = self.handler({"Records": copy.deepcopy(batch)}, context)
            failed = mapping.interpret(response, batch, self.settings.report_batch_item_failures)
            reported = len(response.get("batchItemFailures") or []) if isinstance(response, dict) else 0
        except Exception as exception:  # a function error, as Lambda reports it
            failed, error, reported = 0, repr(exception), len(batch)
        log(
            "invoked",
            function=self.function_name,
            request_id=context.aws_request_id,
            shard_id=shard.shard_id,
            batch_size=len(batch),
            first_sequence_number=sequence_number(batch[0]),
            last_sequence_number=sequence_number(batch[-1]),
            failures=reported,
            checkpoint_before=None if failed is None else sequence_number(batch[failed]),
            function_error=error,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return mapping.Result(failed, context.aws_request_id, "Unhandled" if error else None)

    def _dead_letter(
        self, shard: Shard, batch: list[Record], condition: str, last: mapping.Result | None, count: int
    ) -> None:
        message = failure_record(
            batch,
            condition=condition,
            shard_id=shard.shard_id,
            stream_arn=self.stream_arn,
            function_name=self.function_name,
            region=self.region,
            request_id=last.request_id if last else None,
            invoke_count=count,
            function_error=last.function_error if last else None,
        )
        self.sqs.send_message(QueueUrl=self.dlq_url, MessageBody=json.dumps(message))
        log(
            "sent to the on-failure destination",
            "WARNING",
            function=self.function_name,
            **message["DDBStreamBatchInfo"],
            condition=condition,
        )
