using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Faults;

namespace VoiceBridge.Replay;

/// <summary>
/// What a replay's faults are to do to its call, from <see cref="FaultMatrix.Expect"/>: whether it
/// must switch (<see cref="Required"/>: some fault's expected switch is neither soft-optional nor
/// impossible on a call this short), and the reasons a switch may have (<see cref="Reasons"/>, the
/// union over the run's faults; empty: no switch at all). <see cref="Reasons"/> is null when the
/// run holds a fault the matrix does not judge: a cascade stage's (its table is docs/failover.md's
/// stage table, not <see cref="FaultMatrix"/>'s), one aimed at an engine other than the one the
/// call starts on (whether the call ever reaches it depends on the other faults), or a pair outside
/// the KIND x WHEN table; such a run is checked only for a switch some other fault requires.
/// </summary>
public sealed record RunExpectation(IReadOnlyList<string>? Reasons, bool Required, string Text)
{
    /// <summary>The expectation of a run's faults on a call of <paramref name="utterances"/> caller turns (null: long enough), with the call's thresholds.</summary>
    public static RunExpectation For(FaultRun run, ChainSpec chain, int? utterances, FailoverOptions thresholds)
    {
        if (run.Faults.Count == 0)
        {
            return new RunExpectation([], false, "no switch");
        }

        var reasons = new List<string>();
        var judged = true;
        var required = false;
        var texts = new List<string>();
        foreach (var spec in run.Faults)
        {
            if (Unjudged(spec, chain) is { } why)
            {
                judged = false;
                texts.Add($"{spec}: not judged ({why})");
                continue;
            }

            var outcome = FaultMatrix.Expect(spec, utterances, thresholds.ResponseStallMs, thresholds.SlowTurnMs, thresholds.SlowTurnsInRow, thresholds.BadTurnsInRow);
            required |= outcome.Switches && !outcome.Optional;
            reasons.AddRange(outcome.Reasons.Where(r => !reasons.Contains(r)));
            texts.Add(run.Faults.Count == 1 ? outcome.ToString() : $"{spec}: {outcome}");
        }

        return new RunExpectation(judged ? reasons : null, required, string.Join("; ", texts));
    }

    /// <summary>
    /// Whether <paramref name="switches"/> are what was expected: the failures to report, in words
    /// (empty: they match). A required switch that did not happen fails, and so does a switch for a
    /// reason outside the expected ones.
    /// </summary>
    /// <summary>The reason of a switch back to an engine the call left once it is healthy again.</summary>
    public const string FailbackReason = "failback";

    public IReadOnlyList<string> Check(IReadOnlyList<SwitchReport> switches)
    {
        var failures = new List<string>();
        if (Required && switches.Count == 0)
        {
            failures.Add($"the fault should have made the call switch ({Text}), and it did not switch");
        }

        if (Reasons is null)
        {
            return failures;
        }

        foreach (var (sw, n) in switches.Select((sw, i) => (sw, i + 1)))
        {
            // Coming back to an engine the call left, once it recovered, is the failover working
            // to the end (the fault's outage is over), whatever the fault was.
            var failback = sw.Reason == FailbackReason && switches.Take(n - 1).Any(earlier => earlier.From == sw.To);
            if (!failback && !Reasons.Contains(sw.Reason))
            {
                failures.Add(Reasons.Count == 0
                    ? $"switch {n} ({sw.From} -> {sw.To}) for {sw.Reason}, but no switch was expected ({Text})"
                    : $"switch {n} ({sw.From} -> {sw.To}) for {sw.Reason}, outside the expected reasons ({Text})");
            }
        }

        return failures;
    }

    /// <summary>Why the matrix cannot say what <paramref name="spec"/> does to a call of <paramref name="chain"/>, or null when it can.</summary>
    private static string? Unjudged(FaultSpec spec, ChainSpec chain)
    {
        if (spec.Stage != FaultStage.None)
        {
            return "a cascade stage's fault";
        }

        if (ReplayEnvironment.EngineOf(chain, spec) != chain.Primary)
        {
            return $"the call starts on {chain.Primary.Name}";
        }

        return FaultMatrix.IsValid(spec) ? null : "not a pair of the KIND x WHEN table";
    }
}
