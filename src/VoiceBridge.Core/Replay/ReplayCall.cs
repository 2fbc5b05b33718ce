using VoiceBridge.Call;
using VoiceBridge.Media;

namespace VoiceBridge.Replay;

/// <summary>
/// One recording through one environment: the fake carrier plays the caller, the bridge answers
/// through the simulated provider, and the call's own accounting is checked against what the
/// carrier saw on the wire.
/// </summary>
public static class ReplayCall
{
    /// <summary>How long after the carrier's stop the bridge may take to close the call.</summary>
    private static readonly TimeSpan EndTimeout = TimeSpan.FromSeconds(10);

    public static async Task<ReplayCallResult> RunAsync(
        ReplayEnvironment env,
        CallerRecording recording,
        IReadOnlyList<string>? expectedUtterances,
        FakeCallerOptions callerOptions,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (expectedUtterances is not null)
        {
            env.Simulator.Control.AddTranscriptHints(expectedUtterances);
        }

        var caller = new FakeTwilioCaller(recording.Samples, callerOptions, time);
        var observed = await caller.RunAsync(env.CallerConnector, env.MediaUri, new Dictionary<string, string>(), cancellationToken);
        using var timeout = new CancellationTokenSource(EndTimeout, time);
        var summary = await env.Bridge.Registry.WhenEnded(callerOptions.CallSid).WaitAsync(timeout.Token);
        return new ReplayCallResult(summary, observed);
    }

    /// <summary>Checks a call against its manifest and cross-checks the accounting; builds its report entry.</summary>
    public static ReplayCallReport Evaluate(string file, ReplayCallResult result, IReadOnlyList<string>? expected, IReadOnlyList<string> chain, string? recordingPath)
    {
        var (summary, observed) = (result.Summary, result.Observed);
        var failures = new List<string>();
        var errors = new List<string>(summary.Errors);
        errors.AddRange(observed.Errors);
        var internalError = false;

        var turns = summary.Turns;
        var userTurns = turns.Where(t => t.Role == TurnRole.User).ToList();
        if (expected is not null && userTurns.Count != expected.Count)
        {
            failures.Add($"the manifest lists {expected.Count} utterances; the call had {userTurns.Count} user turns");
        }

        for (var i = 0; i < turns.Count; i++)
        {
            if (turns[i].Role != TurnRole.User)
            {
                continue;
            }

            var answered = turns.Skip(i + 1).TakeWhile(t => t.Role != TurnRole.User)
                .Any(t => t.Role == TurnRole.Assistant && t.AudioMs > 0 && t.StartMs > 0);
            if (!answered)
            {
                failures.Add($"user turn {userTurns.IndexOf(turns[i]) + 1} ({turns[i].StartMs}-{turns[i].EndMs} ms, \"{turns[i].Text}\") got no spoken answer");
            }
        }

        if (summary.OutboundDiscontinuities > 0)
        {
            failures.Add($"{summary.OutboundDiscontinuities} discontinuities in the agent's stream");
        }

        if (observed.OddSizedPayloads > 0)
        {
            failures.Add($"{observed.OddSizedPayloads} media frames toward the caller were not 20 ms");
        }

        if (summary.LostCallerAudioMs > 0)
        {
            failures.Add($"{summary.LostCallerAudioMs} ms of caller audio lost");
        }

        if (observed.EndedIdle && observed.FramesReceived != summary.OutboundFrames)
        {
            internalError = true;
            errors.Add($"accounting disagreement: the bridge counted {summary.OutboundFrames} frames sent, the carrier received {observed.FramesReceived}");
        }

        if (observed.Dropouts != summary.OutboundDiscontinuities)
        {
            internalError = true;
            errors.Add($"accounting disagreement: the bridge counted {summary.OutboundDiscontinuities} discontinuities, the carrier heard {observed.Dropouts} dropouts");
        }

        var status = internalError ? CallStatus.InternalError : failures.Count > 0 ? CallStatus.Failed : CallStatus.Passed;
        return new ReplayCallReport
        {
            File = file,
            Status = status,
            Leg = summary.Leg,
            Chain = chain,
            CallerAudioMs = summary.CallerAudioMs,
            DurationMs = summary.DurationMs,
            ExpectedUtterances = expected?.Count,
            Turns = [.. turns.Select(t => new TurnReport(
                t.Role == TurnRole.User ? "user" : "assistant", t.Engine, t.Text, t.StartMs, t.EndMs,
                t.FirstAudioLatencyMs, t.Role == TurnRole.Assistant ? t.HeardText : null, t.Interrupted))],
            ToolCalls = [.. summary.ToolCalls.Select(c => new ToolCallReport(c.Name, c.Arguments, c.Output, c.Engine, c.AtMs))],
            Outbound = new OutboundReport(summary.OutboundFrames, summary.OutboundDiscontinuities, observed.FramesReceived, observed.Dropouts),
            LostCallerAudioMs = summary.LostCallerAudioMs,
            Recording = recordingPath,
            Failures = failures,
            Errors = errors,
        };
    }
}

/// <summary>The bridge's summary of a replayed call and what the fake carrier observed.</summary>
public sealed record ReplayCallResult(CallSummary Summary, FakeCallerResult Observed);
