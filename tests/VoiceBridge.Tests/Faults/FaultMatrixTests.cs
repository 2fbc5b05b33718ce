using VoiceBridge.Faults;

namespace VoiceBridge.Tests.Faults;

/// <summary>The fault matrix: docs/failover.md's KIND x WHEN table as data, and the named matrices built from it.</summary>
public sealed class FaultMatrixTests
{
    private static readonly (string Name, FaultKind Kind)[] Kinds =
        [("refuse", FaultKind.Refuse), ("http5xx", FaultKind.Http5xx), ("ratelimit", FaultKind.RateLimit), ("close", FaultKind.Close),
         ("blackhole", FaultKind.Blackhole), ("error", FaultKind.Error), ("stall-response", FaultKind.StallResponse),
         ("stall-audio", FaultKind.StallAudio), ("slow:4000", FaultKind.Slow), ("empty-transcript", FaultKind.EmptyTranscript)];

    /// <summary>One moment of each column, as the grammar spells it.</summary>
    private static readonly (FaultColumn Column, string When)[] Columns =
        [(FaultColumn.Connect, "connect"), (FaultColumn.User, "user2+300"), (FaultColumn.Turn, "turn2"), (FaultColumn.Turn, "turn2@first"),
         (FaultColumn.Turn, "turn2+500"), (FaultColumn.TurnDone, "turn2@done"), (FaultColumn.Seconds, "6s")];

    [Theory]
    [InlineData("none", 0)]
    [InlineData("hard", 30)]
    [InlineData("stalls", 16)]
    [InlineData("all", 49)]
    public void A_named_matrix_is_a_list_of_valid_distinct_specs_that_parse_back_to_themselves(string name, int count)
    {
        var specs = FaultMatrix.Named(name, "openai-realtime");

        Assert.Equal(count, specs.Count);
        Assert.Equal(specs.Count, specs.Distinct().Count());
        Assert.All(specs, s =>
        {
            Assert.Equal("openai-realtime", s.Target);
            Assert.True(FaultMatrix.IsValid(s), $"{s} is not a pair of the table");
            Assert.Equal(s, FaultSpec.Parse(s.ToString()));
        });
    }

    [Fact]
    public void All_is_hard_and_stalls_and_the_soft_faults_and_covers_every_valid_pair()
    {
        var all = FaultMatrix.Named("all");
        var hard = FaultMatrix.Named("hard");
        var stalls = FaultMatrix.Named("stalls");

        Assert.Empty(hard.Intersect(stalls));
        Assert.Subset(all.ToHashSet(), hard.Concat(stalls).ToHashSet());
        var soft = all.Except(hard).Except(stalls).ToList();
        Assert.Equal(["primary:slow:2000@turn1", "primary:empty-transcript@user1", "primary:empty-transcript@user2"], soft.Select(s => s.ToString()));

        // On a four-turn call (every fixture) each switches, hard ones at once, the degradations softly with a turn left to answer.
        Assert.All(soft, s => Assert.True(FaultMatrix.Expect(s, utterances: 4) is { Soft: true, Optional: false, AtTurn: < 4 }, $"{s}: {FaultMatrix.Expect(s, 4)}"));
        Assert.All(hard.Concat(stalls), s => Assert.True(FaultMatrix.Expect(s, utterances: 4) is { Switches: true, Soft: false }, $"{s} is not to switch at once"));
        Assert.Equal(FaultMatrix.For("primary", Enum.GetValues<FaultKind>()).ToHashSet(), all.ToHashSet());

        // Every valid cell of the table is exercised, at the first and a middle turn where a column has turns.
        foreach (var kind in Enum.GetValues<FaultKind>())
        {
            foreach (var column in Enum.GetValues<FaultColumn>().Where(c => FaultMatrix.IsValid(kind, c)))
            {
                var cell = all.Where(s => s.Kind == kind && FaultMatrix.ColumnOf(s.When) == column).ToList();
                Assert.NotEmpty(cell);
                if (column is FaultColumn.User or FaultColumn.Turn or FaultColumn.TurnDone)
                {
                    Assert.Contains(cell, s => s.When.N == FaultMatrix.FirstTurn);
                    Assert.Contains(cell, s => s.When.N == FaultMatrix.MiddleTurn);
                }
            }
        }

        Assert.Contains(all, s => s.When is { Moment: FaultMoment.User, OffsetMs: > 0 });
        Assert.Contains(all, s => s.When is { Moment: FaultMoment.Turn, Point: TurnPoint.Offset });
    }

    [Fact]
    public void The_hard_matrix_holds_the_signalled_faults_and_stalls_the_silent_ones()
    {
        Assert.Equal([FaultKind.Refuse, FaultKind.Http5xx, FaultKind.RateLimit, FaultKind.Close, FaultKind.Error],
            FaultMatrix.Named("hard").Select(s => s.Kind).Distinct());
        Assert.Equal([FaultKind.Blackhole, FaultKind.StallResponse, FaultKind.StallAudio, FaultKind.Slow],
            FaultMatrix.Named("stalls").Select(s => s.Kind).Distinct());
        Assert.All(FaultMatrix.Named("stalls").Where(s => s.Kind == FaultKind.Slow), s => Assert.Equal(FaultMatrix.SlowAboveStallMs, s.SlowMs));
    }

    [Fact]
    public void Every_pair_the_grammar_rejects_is_invalid_in_the_matrix_and_every_valid_pair_parses()
    {
        foreach (var (name, kind) in Kinds)
        {
            foreach (var (column, when) in Columns)
            {
                FaultSpec? spec = null;
                try
                {
                    spec = FaultSpec.Parse($"primary:{name}@{when}");
                }
                catch (FormatException)
                {
                }

                if (spec is null)
                {
                    Assert.False(FaultMatrix.IsValid(kind, column), $"{name}@{when} is rejected by the grammar but valid in the matrix");
                }
                else
                {
                    Assert.Equal((kind, column), (spec.Kind, FaultMatrix.ColumnOf(spec.When)));
                }
            }
        }
    }

    [Theory]
    [InlineData("refuse@connect", "cannot-connect")]
    [InlineData("http5xx@connect", "cannot-connect")]
    [InlineData("ratelimit@connect", "cannot-connect or rate-limited")]
    [InlineData("ratelimit@turn2", "provider-error or rate-limited")]
    [InlineData("close@user2+400", "socket-lost")]
    [InlineData("close@turn2@done", "socket-lost")]
    [InlineData("close@8s", "socket-lost")]
    [InlineData("error@user1", "provider-error")]
    [InlineData("blackhole@user2", "response-stall")]
    [InlineData("blackhole@turn2+500", "audio-stall")]
    [InlineData("blackhole@turn2@done", "response-stall")]
    [InlineData("blackhole@8s", "response-stall or audio-stall")]
    [InlineData("stall-response@turn1", "response-stall")]
    [InlineData("stall-audio@turn2+500", "audio-stall")]
    [InlineData("slow:4000@turn2", "response-stall")]
    [InlineData("slow:2501@turn2", "response-stall")]
    [InlineData("slow:2500@turn1", "slow-turns (soft, after turn 3)")]
    [InlineData("slow:2000@turn2", "slow-turns (soft, after turn 4), or no switch")]
    [InlineData("slow:2000@turn3", "no switch")]
    [InlineData("slow:701@turn1", "slow-turns (soft, after turn 3)")]
    [InlineData("slow:700@turn1", "no switch")]
    [InlineData("empty-transcript@user1", "quality-regression (soft, after turn 2)")]
    [InlineData("empty-transcript@user3", "quality-regression (soft, after turn 4), or no switch")]
    [InlineData("empty-transcript@user4", "no switch")]
    public void Each_valid_pair_expects_what_the_docs_say_on_a_four_turn_call(string fault, string expected)
    {
        var outcome = FaultMatrix.Expect(FaultSpec.Parse("primary:" + fault), utterances: 4);

        Assert.Equal(expected, outcome.ToString());
    }

    [Fact]
    public void A_degradation_on_a_call_of_unknown_length_is_expected_to_switch_softly()
    {
        Assert.Equal("quality-regression (soft, after turn 8)", FaultMatrix.Expect(FaultSpec.Parse("primary:empty-transcript@user7")).ToString());
        Assert.Equal("slow-turns (soft, after turn 4)", FaultMatrix.Expect(FaultSpec.Parse("primary:slow:2000@turn2")).ToString());
    }

    [Theory]
    [InlineData("close@connect")]
    [InlineData("stall-response@user2")]
    [InlineData("stall-audio@turn2@done")]
    [InlineData("stall-audio@8s")]
    [InlineData("empty-transcript@turn2")]
    [InlineData("slow:4000@user1")]
    public void A_pair_the_table_marks_with_a_dash_is_invalid(string fault)
    {
        FaultSpec spec;
        try
        {
            spec = FaultSpec.Parse("primary:" + fault);
        }
        catch (FormatException)
        {
            return;
        }

        Assert.False(FaultMatrix.IsValid(spec));
        var e = Assert.Throws<ArgumentException>(() => FaultMatrix.Expect(spec));
        Assert.Contains(fault.Split('@')[0], e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_thresholds_are_the_calls()
    {
        var slow = FaultSpec.Parse("primary:slow:4000@turn1");

        Assert.Equal("response-stall", FaultMatrix.Expect(slow, responseStallMs: 3000).ToString());
        Assert.Equal("slow-turns (soft, after turn 3)", FaultMatrix.Expect(slow, responseStallMs: 5000).ToString());
        Assert.Equal("no switch", FaultMatrix.Expect(slow, responseStallMs: 5000, slowTurnMs: 4800).ToString());
        Assert.Equal("slow-turns (soft, after turn 2)", FaultMatrix.Expect(slow, responseStallMs: 5000, slowTurnsInRow: 2).ToString());
        Assert.Equal("quality-regression (soft, after turn 3)", FaultMatrix.Expect(FaultSpec.Parse("primary:empty-transcript@user1"), badTurnsInRow: 3).ToString());
    }

    [Fact]
    public void An_unknown_matrix_name_lists_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => FaultMatrix.Named("most"));

        Assert.Contains("'most'", e.Message, StringComparison.Ordinal);
        Assert.Contains("none, hard, stalls, all", e.Message, StringComparison.Ordinal);
    }
}
