"""One name for each writer, and the processor's stream filter passes exactly the
writers whose writes hand an order to processing."""

from __future__ import annotations

from chalicelib.domain.writers import Writer
from chalicelib.resources import load_resources


def test_the_stream_filter_names_exactly_the_writers_that_hand_over_to_processing() -> None:
    image = load_resources().stream_mapping.filter_pattern["dynamodb"]["NewImage"]
    named = set(image["written_by"]["S"])
    assert named == {writer.value for writer in Writer if writer.hands_over_to_processing}
    assert named <= {writer.value for writer in Writer}


def test_the_processor_and_the_customer_never_wake_the_processor() -> None:
    assert not Writer.PROCESSOR.hands_over_to_processing
    assert not Writer.CUSTOMER.hands_over_to_processing
    assert Writer.INTAKE.hands_over_to_processing and Writer.RECONCILE.hands_over_to_processing
