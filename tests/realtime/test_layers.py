"""The embedded channel layer (realtime/layers.py): each receiver has a message of its own."""

from asgiref.sync import async_to_sync

from awn.realtime.layers import SweepingInMemoryChannelLayer


def test_each_member_of_a_group_receives_its_own_copy_of_a_message():
    layer = SweepingInMemoryChannelLayer()
    message = {"type": "desk.event", "scope": {"changed": ["status"], "team": 3}, "frame": "{}", "data": b"x"}

    async def scenario():
        await layer.group_add("desk.team.3", "first")
        await layer.group_add("desk.team.3", "second")
        await layer.group_send("desk.team.3", message)
        return await layer.receive("first"), await layer.receive("second")

    first, second = async_to_sync(scenario)()
    first["scope"]["changed"].append("team")
    first["scope"]["team"] = 4

    assert (
        second
        == message
        == {
            "type": "desk.event",
            "scope": {"changed": ["status"], "team": 3},
            "frame": "{}",
            "data": b"x",
        }
    )
    assert first["scope"] == {"changed": ["status", "team"], "team": 4}


def test_a_message_with_other_values_is_still_copied_whole():
    layer = SweepingInMemoryChannelLayer()
    message = {"type": "x.y", "pair": (1, [2])}

    async def scenario():
        await layer.send("only", message)
        return await layer.receive("only")

    received = async_to_sync(scenario)()
    received["pair"][1].append(3)

    assert message == {"type": "x.y", "pair": (1, [2])}
