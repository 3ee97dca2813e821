from providers.onnx_runtime import length_sorted_batches


def test_batches_group_similar_lengths_within_both_limits():
    lengths = [10, 500, 12, 300, 11, 490, 9]
    batches = length_sorted_batches(lengths, batch_size=3, batch_tokens=1000)
    assert sorted(index for batch in batches for index in batch) == list(range(len(lengths)))
    assert batches[0] == [1, 5]  # 2 x 500 padded tokens fit, a third would not
    for batch in batches:
        assert len(batch) <= 3
        assert len(batch) * max(lengths[index] for index in batch) <= 1000 or len(batch) == 1
    assert length_sorted_batches([2000], batch_size=8, batch_tokens=1000) == [[0]]  # too long still runs, alone
    assert length_sorted_batches([], batch_size=8, batch_tokens=1000) == []


def test_batches_are_split_so_every_thread_gets_one():
    batches = length_sorted_batches([40] * 10, batch_size=32, batch_tokens=10_000, at_least=2)
    assert [len(batch) for batch in batches] == [5, 5]
    assert length_sorted_batches([40], batch_size=32, batch_tokens=10_000, at_least=2) == [[0]]
    assert len(length_sorted_batches([40] * 100, batch_size=32, batch_tokens=10_000, at_least=2)) == 4
