"""The local stack's fixes to moto's TransactWriteItems (devstack/moto_patches.py): no
table copies, all-or-nothing without rollback, and ClientRequestToken honoured. Each
test also runs against unpatched moto and must fail there, where the fix matters."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from devstack import moto_patches
from devstack.provision import create_table
from tests.conftest import TABLE_NAME


@pytest.fixture(params=["patched", "unpatched"])
def table(request: pytest.FixtureRequest, moto_aws: None) -> Iterator[tuple[Any, bool]]:
    import boto3

    undo = moto_patches.install() if request.param == "patched" else None
    client = boto3.client("dynamodb")
    create_table(client, TABLE_NAME)
    try:
        yield client, undo is not None
    finally:
        if undo:
            undo()


def put(pk: str, condition: bool = True) -> dict[str, Any]:
    op: dict[str, Any] = {"TableName": TABLE_NAME, "Item": {"pk": {"S": pk}, "sk": {"S": "X"}}}
    if condition:
        op["ConditionExpression"] = "attribute_not_exists(pk)"
    return {"Put": op}


def test_a_transaction_copies_no_table(table: tuple[Any, bool], monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.dynamodb import models

    client, patched = table
    for n in range(50):
        client.put_item(TableName=TABLE_NAME, Item={"pk": {"S": f"seed-{n}"}, "sk": {"S": "X"}})
    copies: list[str] = []
    real = copy.deepcopy

    def counting(value: Any, memo: Any = None) -> Any:
        copies.append(type(value).__name__)
        return real(value, memo)

    monkeypatch.setattr(models.copy, "deepcopy", counting)
    client.transact_write_items(TransactItems=[put("a"), put("b")])
    assert ("Table" not in copies) is patched


def test_a_repeated_client_request_token_succeeds_once(table: tuple[Any, bool]) -> None:
    client, patched = table
    items = [put("order-1"), put("key-1")]
    client.transact_write_items(TransactItems=items, ClientRequestToken="token-1")
    if not patched:
        with pytest.raises(ClientError, match="TransactionCanceled"):
            client.transact_write_items(TransactItems=items, ClientRequestToken="token-1")
        return
    client.transact_write_items(TransactItems=items, ClientRequestToken="token-1")  # the lost answer, retried
    with pytest.raises(ClientError, match="IdempotentParameterMismatch"):
        client.transact_write_items(TransactItems=[put("order-2")], ClientRequestToken="token-1")
    assert client.scan(TableName=TABLE_NAME)["Count"] == 2


def test_a_failed_condition_writes_nothing_and_names_the_reason(table: tuple[Any, bool]) -> None:
    client, _ = table
    client.put_item(TableName=TABLE_NAME, Item={"pk": {"S": "key-1"}, "sk": {"S": "X"}, "old": {"S": "yes"}})
    failing = [put("order-1"), put("key-1")]
    failing[1]["Put"]["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    with pytest.raises(ClientError) as raised:
        client.transact_write_items(TransactItems=failing)
    reasons = raised.value.response["CancellationReasons"]
    assert [reason["Code"] for reason in reasons] == ["None", "ConditionalCheckFailed"]
    assert reasons[1]["Item"]["old"] == {"S": "yes"}
    assert client.scan(TableName=TABLE_NAME)["Count"] == 1, "the first put was written"
