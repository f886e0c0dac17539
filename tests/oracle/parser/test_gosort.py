"""Tests for oracle.parser.gosort: the permutation must equal Go's slices.SortFunc, ties included.

The expected data was produced by a throwaway Go 1.27.3 program (``_gen_keys`` below is a
line-for-line transcription of its generator) that built ``(key, index)`` pairs, sorted them with ``slices.SortFunc`` comparing only keys, and printed the
CRC-32 (IEEE) of the comma-joined index order per case.  Because only keys are compared, every
run of equal keys exposes pdqsort's unstable placement; the patterns cover insertion sort
(<= 12), median-of-three and ninther pivots, the decreasing-hint reversal, partial insertion
sort, ``partitionEqual`` (many duplicates) and ``breakPatterns``' xorshift.

The Go program::

    type rng struct{ s uint64 }  // splitmix64
    ... genKeys(c) exactly as _gen_keys below ...
    slices.SortFunc(ps, func(a, b pair) int { return cmp.Compare(a.key, b.key) })
    fmt.Printf("%d %08x\\n", c, crc32.ChecksumIEEE([]byte(strings.Join(idx, ","))))
"""

from __future__ import annotations

import random
import zlib

import pytest

from oracle.parser import gosort
from oracle.parser.gosort import pdqsort_pairs, sort_func_by_key

_U64 = (1 << 64) - 1

#: CRC-32 of Go's output index order for case c (800 cases), in order.
GO_CRCS = " ".join([
    "3c824e84 7b50d06c df3c790d 689e5cca 622598e9 54c3f999 6c9760d5 fcc9d2bb b3c55716 0ddebb52 c7e60479",
    "0ec02216 bba38279 09b2179b e78d9cd1 99371dd5 00f2348d 04886d3f 930e64b5 3246d758 e40f5f36 5f31e84c",
    "63d529f6 eb981d7a 115903ef e3c47128 e10c2e72 0888d84a 5f18c504 5b8746f2 d3b81bd5 d581573b f4dbdf21",
    "fa5fa6f0 d276033b 51ab1be8 77235e16 c9c06a27 c8380b92 4b472207 ac37a3c6 35044d9a 9bb13668 ba252345",
    "19d74e30 09b07438 2f97a69d f3405302 84267815 3edb6398 c71941ef d31c999d c5000db7 2954adac 985fbb91",
    "aa4724ec 59a8ea94 d9042c8a 05afdc2e 20fbd62e 6297342d c6a78d35 95cf0e00 4ebcc9ed 68e2c172 c4c312f3",
    "55e7b31c 9a98fba7 2baee9e2 5d361719 74005c8a 09cd10ce b4726fb0 498c01df b087cc7c 271bf2da 07435cf2",
    "7c3f3f42 bea841af 2d7609b7 e60b3c2e 55f714c7 0b42b18e 190e6d51 918d2e88 9970f502 8bbca198 656a0f33",
    "00f2348d 00f2348d 77a6ebd7 b96b14e6 bd0de6af 45ff11fa 2d456361 7de83de8 f4dbdf21 157cceff 5c3c1f78",
    "6ef57459 e40f5f36 136a28ad d7fadac6 ee0e20ea 8e08fb01 f10b3f9d ac753c0e df910c9f a136eedc 08960e75",
    "e622a0ed 791a4f2b 2254c35f b60a6aee 5723ff08 23048f3f 9f79e924 dadb0206 a991542c 79166f97 839813fa",
    "94b2eb28 6d4ab0d4 181b7823 e0afa081 13b76d12 3c7bfb70 28a7c32d 8dd93ce8 6c52e208 97c9b582 483b2301",
    "40c7dcca 4f654ffc a90921f5 8ac3b597 1736f77c ecb637fa 17f2a92a 0ea3702d fd07fcf4 119e5efa 3f7c9c80",
    "c0656ea2 d9a891f1 2faa1767 bb57ac74 df9c42e4 b2b4069f e322882b 71fc2025 2241d544 8e08fb01 7c164790",
    "70ee8c0c 57ee17d5 9f79e924 c597c75d 30d89e56 8452036a 48186ecd a7262138 38df1e41 e3825d13 0ab78b37",
    "271e0c4d 15cdd772 a1d1cf33 375495f0 6c52e208 c2af2d8a d2624002 217ceb38 ed055102 2703a420 8d78212d",
    "84267815 58b1f391 64e49fe0 69c75c33 d13a4430 0561fb81 bd7c398f f5be3e06 551b7d08 a05be94f 6de279e2",
    "cd16b233 c5000db7 2b7bc1a3 57894595 263cceb6 a93e4762 8b621bb3 e8990e95 692ad8a1 cd66d8d8 7c3f3f42",
    "00e4d149 d91ca094 4dfea403 99ba74f0 c70a62b9 dd2c9b86 01dd8e15 63a8758d bb501c0d eb0728ff a93e4762",
    "3edb6398 dbf0ca05 5c942e33 f4dbdf21 19a5f22b 9984def1 ddd7663f a93e4762 8b80958a 112905a2 cf382d82",
    "00000000 086cdd12 cbdf8a72 c118120b 1736f77c ee39288d aba2ae62 12736082 8e08fb01 710c4b33 a6f316eb",
    "abbc69fd ee94c35e 6deff7cb f763d3bd c3afdcf5 cd66d8d8 7e10c9b2 2f848701 6318f498 b3c55716 59e0ccb4",
    "19a3ab6d c772c5ed 7776728b 489a28b6 52d10a89 ea725e39 276507dd d183a060 4b52d3cb a488d5a7 74a6ad46",
    "6f079b51 5b5ed1ac 49e71761 84267815 3edb6398 8af1fba0 3595ac9e c2e70577 2d326c5c c76bea42 d70eb109",
    "1736f77c e48494bf b2a22683 c4da87cd 03ab59d6 b7820603 0ad76beb c5f46a37 00000000 f0276c95 91f3e42e",
    "35197454 7fcd8a39 f56c1c4f 6fd33927 982c9785 ed81af85 01f26df0 ca819953 fb480e06 f4dbdf21 d0c8eb9f",
    "02068ea8 2ae71ea7 059fc392 cb78a175 364edd56 87875026 8402ee55 7c27c4da 40fe80f1 db65902b 8e08fb01",
    "f480d6f6 7104a3b1 2040dc04 9fac490a 0a879bbe 663dec03 1d24c79d 59a8ea94 758030f9 faeb91be 7222d4ff",
    "aa00ab34 8cb6438f 2bceb141 ce02fdd3 00f2348d dd941046 03b99a3a 98308b5b d9aca72e 608be1b0 2d261006",
    "99aa5aa0 7b527568 24e22d53 e09d195b 3163d233 00000000 cdf06c73 1fedede0 857e09c5 276507dd 3e229646",
    "a6f82c56 91fc9e83 40c7dcca 5731b34b 11d7e0db 009463f0 f4dbdf21 f7192e2c 62537c0a 467edf4d b3c55716",
    "65d7130d 2dce5d3c 6921289c 6546eeb1 d56e78e3 e983b3be 5653deac 39d8205f 3922a896 f69a152f 701a888a",
    "ebaafde8 a74ff6d6 35744a95 eb404fcc 862a5589 ad15aace 85d9bdcf dc56760d cb78a175 985cb10d d55f2384",
    "b6bed52a 6bad0594 05553afc 6bac35ff cad4a807 00000000 12e5f0b3 602d914b 76aab53c 74a6ad46 8e3db380",
    "d07b6cad b7285a6c 2254c35f d874f5a5 2c794f2f fa912718 f4dbdf21 2d4fc48d 02f8365b 100e4811 392cdc39",
    "805fb063 12c116e9 d752de7c 3ba8b79e bbbf10b8 fb61090a c5c6260f f4dbdf21 67859caa a0ab9adb 38b2bb46",
    "00000000 5401c37d f5b39320 95e232c3 6e9b265b b8f749f1 79d8aa1e ecd16c03 426e7221 69f77563 1338e88d",
    "c9dfd644 92ca0597 112905a2 c27c5047 9b83a67c b10437fa 07b874dd 43e97ba3 52e2767c 92ca0597 a3f0fce2",
    "bd120197 7e3f6b47 c2e70577 6fd7e88a c9a1af21 f42a97b6 15a596a1 1aebc2f3 985df59e e1e236b4 84267815",
    "ba10195c 6e50583e 5f550bd4 3bb5372c 37ccea15 c6c813ff 84c6c12a 7fcd8a39 18f0ec09 d7bed932 71fcb40a",
    "8e08fb01 75b2d7d9 a797ab78 b033d5f5 e81f925c 3d4b784c 878ebbac dd2572d9 f4dbdf21 1db70adc c2af2d8a",
    "8bba970b f4dbdf21 7c27c4da 3d5ed5ed a6de7c01 5f8c4d13 64e49fe0 18c93335 c2e5318e fd07fcf4 a6450e33",
    "1d24c79d f66494f5 a1aaad31 e4e46bd2 de86c994 c699fe5d e4bc572b 0a8c52bb 936f70b7 40cba939 b3c55716",
    "ba447a8a 7d7fc484 3767116a 00000000 a1aaf0ae d94ed1ac a70e1a0c ffb6f697 353e3506 5f3c8976 058fe04a",
    "00000000 d4b671ae 0cd27f2f 02344d8b 84267815 78481788 9ce7e138 3345f435 c5000db7 6f079b51 b0216b35",
    "f054d676 276507dd ff863184 aee1adf4 3ecec0bf fd07fcf4 086cdd12 34b04bc4 b89667b1 b3c55716 b347fd6f",
    "60c6df5b fbb254d0 db7a3e33 76b57051 177fb703 367d5465 b3c55716 fa192fed 682b0ccd c4701612 00000000",
    "2da9f980 85d9bdcf 3a6d5d93 00000000 e64db38a 43c4448f f65ec520 7115a7e9 a0fd3136 2e452256 ac0264e3",
    "00f2348d cb78a175 7271c321 6ef89791 00000000 b83f7dea 62ee5f0e c69fe5b0 1736f77c 80c3f8c1 9ed7a4f1",
    "306b929e b3c55716 14e312fe 9a9f0412 eac84355 d383ec0c 47b1de7a 702a31d4 c2518dbb 85717000 749676c6",
    "faba97bf bf671b5b 84267815 c4699636 a2779e0c b70d68cc c5000db7 3621d807 5401c37d 933b968b 07d0fd48",
    "e78a9d7c 4c276329 1b54d5dd 96fd3d9c a73ca40e ace99001 ab68d834 84267815 87f8778f aae6bf10 64a02f35",
    "347edf8b 07b874dd 0c59601a 017fbb2b 00000000 201d8895 8c85b8e5 61f89ea0 44279dbb 65cd3e61 d18665dd",
    "b25d03d4 fb474b0b 3743edef cf6e5f8d e4aa7b52 06d1c0d0 dc6a5f56 5d1f3e89 132ff58e 8dd93ce8 ba120dc1",
    "87094667 c8c85f5f eeba57d2 e0a884e1 ccf1a72f b7a954da a474b777 622a2694 1b00e4b9 a8ddf1aa 2d04d823",
    "97f0877c 6d2c92b3 ec91c0e5 059fc392 78481788 9d361bda dfdbf757 8402ee55 4adf2dc2 dfc7b1f7 cd74835c",
    "1736f77c 3e229646 30206bab 4f9cbbe6 1544b89b 2d326c5c 921e5f86 de1e916b 84267815 551b7d08 e6df3c34",
    "46c4b02a 9400cf9f 69ee2208 c8be296d 5f707666 92ca0597 963ce16d 75f245cd 7e33c8f3 eeba57d2 0d103b95",
    "77a382b2 d2966c88 b3c55716 1ef6465e d3cde596 8babace9 00000000 42e8fd8c 957e7c0b 20ace351 375495f0",
    "81d9f983 9fef5457 6ab2e900 8402ee55 5731b34b d52df807 4aa4f80b 276507dd f7192e2c acbbef99 c49fb354",
    "00000000 bed21375 6369a063 2c81763d 84267815 9955cc2d 4a79f8f7 8cea9223 7a7e86c0 e714350e ac28e7b3",
    "bfc48221 1736f77c fc491113 9e88739f 681ab005 eeba57d2 d6582b4e 3f04216e 454ef858 2a1ab522 42bc9952",
    "9cb62bbc 7e336400 a8e614d3 f174985d 2b10ebc2 05516362 cb78a175 17f08e96 f822132b b2e4259a e545469b",
    "87385aa3 a81a48ab c7a1842a 92ca0597 ecb637fa 068b1556 a7d1204b 347945cb f0f3d87d c0656ea2 4c123f01",
    "119eeba3 ee39288d f63472db 59dbe32d f4dbdf21 00d5da49 c45349ef eff8b7d2 00000000 f062460d 97640182",
    "3b51ec5e f4dbdf21 dadb0206 f8b674d2 f0004105 b3c55716 9f3ace38 9f14894a 40cbe192 a173f9c1 28284b5f",
    "62a8b507 afef0b2b b3c55716 7732359f ab161a8a 22cb227c 3a2b4eb0 7c27c4da ecd02397 cd963c6c 059fc392",
    "954638c3 95b1a9b9 8957db7b 3eb7e3bf 9e62363f 6e04910b 735b0e13 00000000 b8bc6d59 4967be2b e8dd8c19",
    "f4dbdf21 4dff5acc 1e02207b 90418b74 59a8ea94 0b7901c5 d1f993f5 eac530bd a5627ab6 08e0df46 b1e72ce1",
    "508b9f6d 32b60b21 294882e6 3bcabf27 3ea6d961 7b60ef7e 04081ffe 3b259e87 0d037300 59a8ea94 f7192e2c",
    "f2c421e0 5c7b07c9 2eb2cad3 663dc27d 1bc36384 04e06beb 375495f0 03238c55 acbbef99 034c260c fd07fcf4",
    "a2a9a0c6 bdf5fd64 5c6495d5 00000000 15ed6976 c8472fe7 888f215f 00000000 966f93a0 22edfe68 cb737bf6",
    "626f9867 fe886f7e 491127fc 4311a6d3 f4dbdf21 c8380b92 9eefa8fc d34dcb0d",
]).split()

#: A few cases in full: (case, keys, Go's index order).
GO_FULL = [
    (0, [4, 4, 2, 0, 3, 0, 4, 0, 1, 1, 3, 1, 2, 2, 0], [5, 14, 7, 3, 9, 8, 11, 2, 12, 13, 4, 10, 6, 0, 1]),
    (1, [6, 3, 1, 0, 5, 5, 0, 6, 1, 6, 0, 2, 0, 3, 3, 1, 6, 0], [6, 17, 12, 3, 10, 8, 2, 15, 11, 13, 14, 1, 5, 4, 7, 0, 9, 16]),
    (4, [-253, 82, -459, -355, 314, 366, 189, 129, -306, -275, -136, 452, -291, 205, -9, -144, 498, 62], [2, 3, 8, 12, 9, 0, 15, 10, 14, 17, 1, 7, 6, 13, 4, 5, 11, 16]),
    (16, [7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]),
    (28, [0, 1, 2, 10, 4, 12, 6, 7, 8, 5, 3, 11, 9, 13, 14, 15], [0, 1, 2, 10, 4, 9, 6, 7, 8, 12, 3, 11, 5, 13, 14, 15]),
    (29, [0, 1, 25, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 2, 26, 27, 28, 29, 30, 31, 32], [0, 1, 25, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 2, 26, 27, 28, 29, 30, 31, 32]),
]


class _SplitMix64:
    """The generator of the Go program (splitmix64, state = case number)."""

    def __init__(self, seed: int) -> None:
        self.s = seed

    def next(self) -> int:
        self.s = (self.s + 0x9E3779B97F4A7C15) & _U64
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _U64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _U64
        return z ^ (z >> 31)


def _gen_keys(c: int) -> list[int]:
    """Transcription of the Go program's genKeys."""
    r = _SplitMix64(c)
    sel = c % 4
    if sel == 0:
        n = r.next() % 20
    elif sel == 1:
        n = 13 + r.next() % 60
    elif sel == 2:
        n = 50 + r.next() % 300
    else:
        n = 200 + r.next() % 1500
    pattern = (c // 4) % 10
    keys = [0] * n
    distinct = 1 + r.next() % 8
    for i in range(n):
        if pattern == 0:
            keys[i] = r.next() % distinct
        elif pattern == 1:
            keys[i] = r.next() % 1000 - 500
        elif pattern == 2:
            keys[i] = i // 3
        elif pattern == 3:
            keys[i] = (n - i) // 2
        elif pattern == 4:
            keys[i] = 7
        elif pattern == 5:
            keys[i] = i if i < n // 2 else n - i
        elif pattern == 6:
            keys[i] = i % (distinct + 2)
        elif pattern == 7:
            keys[i] = i
        elif pattern == 8:
            if r.next() % 10 == 0:
                keys[i] = 1
        elif pattern == 9:
            keys[i] = n - i
    if pattern == 7 and n > 1:
        for _ in range(3):
            a, b = r.next() % n, r.next() % n
            keys[a], keys[b] = keys[b], keys[a]
    return keys


def _go_order(keys: list[int]) -> list[int]:
    idx = list(range(len(keys)))
    sort_func_by_key(idx, lambda i: keys[i])
    return idx


def test_generator_matches_embedded_full_cases() -> None:
    # Guards the transcription of the Go generator itself.
    for c, keys, _ in GO_FULL:
        assert _gen_keys(c) == keys


@pytest.mark.parametrize(("case", "keys", "want"), GO_FULL)
def test_full_cases(case: int, keys: list[int], want: list[int]) -> None:
    assert _go_order(keys) == want


def test_all_cases_match_go() -> None:
    assert len(GO_CRCS) == 800
    bad = []
    for c, want in enumerate(GO_CRCS):
        order = _go_order(_gen_keys(c))
        got = f"{zlib.crc32(','.join(map(str, order)).encode()):08x}"
        if got != want:
            bad.append(c)
    assert bad == []


def test_unstable_for_more_than_twelve() -> None:
    # Go's result for case 0 reorders equal keys: a stable sort would be a different answer.
    c, keys, want = GO_FULL[0]
    stable = sorted(range(len(keys)), key=lambda i: keys[i])
    assert want != stable
    assert _go_order(keys) == want


def test_small_inputs_are_stable_insertion_sort() -> None:
    rnd = random.Random(1)
    for _ in range(200):
        n = rnd.randrange(0, 13)
        keys = [rnd.randrange(3) for _ in range(n)]
        assert _go_order(keys) == sorted(range(n), key=lambda i: keys[i])


def test_sorts_any_input() -> None:
    rnd = random.Random(2)
    for _ in range(200):
        n = rnd.randrange(0, 400)
        keys = [rnd.randrange(-5, 5) for _ in range(n)]
        pairs = [(k, i) for i, k in enumerate(keys)]
        pdqsort_pairs(pairs)  # type: ignore[arg-type]
        assert [k for k, _ in pairs] == sorted(keys)
        assert sorted(i for _, i in pairs) == list(range(n))


def test_corpus_exercises_every_branch(monkeypatch: pytest.MonkeyPatch) -> None:
    # The Go-derived cases are only evidence for the code paths they reach: make sure they
    # reach the rare ones (pattern breaking, equal partitions, reversal, partial insertion).
    hits: dict[str, int] = {}
    for name in ("_break_patterns", "_partition_equal", "_reverse_range", "_partial_insertion_sort"):
        orig = getattr(gosort, name)

        def wrapper(*a: object, _orig: object = orig, _name: str = name) -> object:
            hits[_name] = hits.get(_name, 0) + 1
            return _orig(*a)  # type: ignore[operator]

        monkeypatch.setattr(gosort, name, wrapper)
    for c in range(len(GO_CRCS)):
        _go_order(_gen_keys(c))
    assert set(hits) == {"_break_patterns", "_partition_equal", "_reverse_range", "_partial_insertion_sort"}
