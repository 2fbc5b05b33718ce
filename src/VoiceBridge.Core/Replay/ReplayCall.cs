using VoiceBridge.Call;
using VoiceBridge.Media;
using VoiceBridge.Transport;

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
        // Faults (if any) were planned into the simulators when the environment was made. The
        // hints are this call's own: other calls in the environment keep theirs.
        if (expectedUtterances is not null)
        {
            env.Control.AddTranscriptHints(callerOptions.CallSid, expectedUtterances);
            if (env.Shadow is not null)
            {
                // The shadow hears the same caller from a queue of its own (ShadowMode.CallTag).
                env.Control.AddTranscriptHints(ShadowMode.CallTag(callerOptions.CallSid), expectedUtterances);
            }
        }

        // The harness can see what the caller cannot: a handoff still owing audio.
        Func<bool> owes = () => env.Bridge.Registry.Find(callerOptions.CallSid)?.HandoffOwesCaller == true;
        FakeCallerResult observed;
        if (env.Sip is { } sip)
        {
            var phone = new FakeSipCaller(recording.Samples, callerOptions, callerOptions.Impairments, time) { AgentOwesAudio = owes };
            observed = await phone.RunAsync(env.Datagrams!, sip.LocalEndPoint, cancellationToken);
        }
        else
        {
            var caller = new FakeTwilioCaller(recording.Samples, callerOptions, time) { AgentOwesAudio = owes };
            using var rest = env.TwilioRest.Attach(callerOptions.CallSid, caller);
            observed = await caller.RunAsync(env.CallerConnector, env.MediaUri, new Dictionary<string, string>(), cancellationToken);
        }

        var summary = await WhenEndedAsync(env, callerOptions.CallSid, time, cancellationToken);
        StampFaults(env, summary, time);
        return new ReplayCallResult(summary, observed);
    }

    /// <summary>
    /// The call's summary once the bridge has ended it (a SIP phone hangs up before the bridge has
    /// finished the call), looked for on the clock (<see cref="ClockWait"/>).
    /// </summary>
    private static async Task<CallSummary> WhenEndedAsync(ReplayEnvironment env, string callId, TimeProvider time, CancellationToken cancellationToken)
    {
        var ended = env.Bridge.Registry.WhenEnded(callId);
        return await time.UntilAsync(() => ended.IsCompleted, TimeSpan.FromMilliseconds(CallClock.FrameMs), EndTimeout, cancellationToken)
            ? await ended
            : throw new TimeoutException($"the bridge did not end call {callId} within {EndTimeout.TotalSeconds:0} s of the caller hanging up");
    }

    /// <summary>When the fault behind each switch struck, on the call's timeline (the harness knows; the bridge cannot).</summary>
    private static void StampFaults(ReplayEnvironment env, CallSummary summary, TimeProvider time)
    {
        foreach (var record in summary.Switches ?? [])
        {
            var struck = env.FaultPlansFor(record.From).SelectMany(plan => plan.Fired)
                .Select(f => (long)time.GetElapsedTime(summary.StartTimestamp, f.Timestamp).TotalMilliseconds)
                .Where(ms => ms <= record.DetectedAtMs)
                .DefaultIfEmpty(-1)
                .Max();
            record.FaultAtMs = struck >= 0 ? struck : null;
        }
    }

    /// <summary>Checks a call against its manifest and cross-checks the accounting; builds its report entry.</summary>
    /// <remarks>
    /// <paramref name="oneClock"/>: the bridge and the carrier ran on one virtual clock, so the
    /// discontinuities the bridge counted must equal the dropouts the carrier heard exactly. On real
    /// time they keep two 20 ms clocks that drift under load by a frame, so a difference is reported
    /// as an error line but not as an accounting disagreement.
    /// </remarks>
    public static ReplayCallReport Evaluate(string file, ReplayCallResult result, IReadOnlyList<string>? expected, IReadOnlyList<string> chain, string? recordingPath, bool oneClock = true)
    {
        var (summary, observed) = (result.Summary, result.Observed);
        var failures = new List<string>();
        var errors = new List<string>(summary.Errors);
        errors.AddRange(observed.Errors);
        var internalError = false;

        var turns = summary.Turns;
        // Keys pressed are caller turns but not utterances of the recording.
        var userTurns = turns.Where(t => t is { Role: TurnRole.User, Dtmf: null }).ToList();
        if (expected is not null && userTurns.Count != expected.Count)
        {
            failures.Add($"the manifest lists {expected.Count} utterances; the call had {userTurns.Count} user turns");
        }
        else if (expected is null && turns.All(t => t.Role != TurnRole.User))
        {
            failures.Add("no caller speech: the bridge heard no caller turn in the recording (silent, or the caller is on the channel not taken: see --channel), so the call tested nothing");
        }

        for (var i = 0; i < turns.Count; i++)
        {
            if (turns[i] is not { Role: TurnRole.User, Dtmf: null })
            {
                continue;
            }

            // Keys pressed before the agent answered are answered along with the turn.
            var replies = turns.Skip(i + 1).SkipWhile(t => t.Dtmf is not null).TakeWhile(t => t.Role != TurnRole.User)
                .Where(t => t.Role == TurnRole.Assistant && t.AudioMs > 0 && t.StartMs > 0).ToList();
            if (replies.Count == 0)
            {
                failures.Add($"user turn {userTurns.IndexOf(turns[i]) + 1} ({turns[i].StartMs}-{turns[i].EndMs} ms, \"{turns[i].Text}\") got no spoken answer");
            }
            else if (replies.Where(t => !t.Interrupted).Select(t => t.Engine).Distinct().Count() > 1)
            {
                // One engine may answer in parts (a preamble, a tool call, the result); two engines
                // each answering in full is a reply given twice across a switch.
                failures.Add($"user turn {userTurns.IndexOf(turns[i]) + 1} (\"{turns[i].Text}\") was answered in full by {string.Join(" and ", replies.Where(t => !t.Interrupted).Select(t => t.Engine).Distinct())}");
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

        if (observed.Rtp is { } rtp)
        {
            CheckRtp(rtp, summary, failures, errors, ref internalError);
        }
        else
        {
            CheckTwilioStream(observed, summary, oneClock, errors, ref internalError);
        }

        var switches = (summary.Switches ?? []).Select(r => SwitchReport.Of(r, observed)).ToList();
        foreach (var (sw, n) in switches.Select((sw, n) => (sw, n + 1)))
        {
            // A switch owes the caller audio when it cut a reply short or left a caller turn
            // unanswered, or a caller turn ended after it (a switch after the last word of the call
            // has nothing to say). A switch whose engine failed in turn before speaking hands what it
            // owed to the next switch, which is judged for it.
            var owed = sw.CallerSpeechEndMs is not null || sw.ContinuesReply || turns.Any(t => t.Role == TurnRole.User && t.EndMs > sw.DetectedAtMs);
            if (sw.FirstFallbackAudioAtMs is null && owed && n == switches.Count)
            {
                failures.Add($"switch {n} ({sw.From} -> {sw.To}, {sw.Reason}): the new engine never spoke{(sw.ContinuesReply ? " (the reply it cut was left unfinished)" : "")}");
            }

            if (sw.LostCallerAudioMs > 0 || sw.RepeatedAgentWords > 0 || sw.DuplicateAgentAudioMs > 0 || sw.OutboundDiscontinuities > 0)
            {
                failures.Add($"switch {n} ({sw.From} -> {sw.To}, {sw.Reason}): lost {sw.LostCallerAudioMs} ms, repeated {sw.RepeatedAgentWords} words, duplicated {sw.DuplicateAgentAudioMs} ms of audio, {sw.OutboundDiscontinuities} discontinuities");
            }
        }

        var status = internalError ? CallStatus.InternalError : failures.Count > 0 ? CallStatus.Failed : CallStatus.Passed;
        return new ReplayCallReport
        {
            File = file,
            Status = status,
            Leg = summary.Leg,
            CallId = summary.CallId,
            Chain = chain,
            CallerAudioMs = summary.CallerAudioMs,
            DurationMs = summary.DurationMs,
            ExpectedUtterances = expected?.Count,
            Turns = [.. turns.Select(t => new TurnReport(
                t.Role == TurnRole.User ? "user" : "assistant", t.Engine, t.Text, t.StartMs, t.EndMs,
                t.FirstAudioLatencyMs, t.Role == TurnRole.Assistant ? t.HeardText : null, t.Interrupted, t.Dtmf))],
            ToolCalls = [.. summary.ToolCalls.Select(c => new ToolCallReport(c.Name, c.Arguments, c.Output, c.Engine, c.AtMs))],
            Switches = switches,
            Outbound = new OutboundReport(summary.OutboundFrames, summary.OutboundDiscontinuities, observed.FramesReceived, observed.Dropouts),
            LostCallerAudioMs = summary.LostCallerAudioMs,
            TransferredTo = observed.TransferredTo,
            Media = summary.Media,
            Rtp = observed.Rtp,
            Shadow = summary.Shadow is { } shadow ? ShadowReport.From(shadow) : null,
            Recording = recordingPath,
            Failures = failures,
            Errors = errors,
        };
    }
    /// <summary>Twilio: frames and dropouts the carrier saw must match the bridge's own counts.</summary>
    private static void CheckTwilioStream(FakeCallerResult observed, CallSummary summary, bool oneClock, List<string> errors, ref bool internalError)
    {
        if (observed.EndedIdle && observed.FramesReceived != summary.OutboundFrames)
        {
            internalError = true;
            errors.Add($"accounting disagreement: the bridge counted {summary.OutboundFrames} frames sent, the carrier received {observed.FramesReceived}");
        }

        // A handoff's gap (old engine cut, new one not yet speaking) is dead air, reported per switch,
        // not a break in the stream: dropouts heard around a switch are not compared.
        var dropouts = observed.DropoutsAtMs.Count(ms => !(summary.Switches ?? []).Any(sw =>
            ms >= sw.DetectedAtMs - 100 && ms <= (sw.FirstFallbackAudioAtMs ?? sw.DetectedAtMs) + 1000));
        if (dropouts != summary.OutboundDiscontinuities)
        {
            internalError |= oneClock;
            errors.Add($"{(oneClock ? "accounting disagreement" : "clock drift")}: the bridge counted {summary.OutboundDiscontinuities} discontinuities, the carrier heard {dropouts} dropouts");
        }
    }

    /// <summary>
    /// SIP: the bridge sends RTP every 20 ms (silence when idle), so the phone cannot tell a dropout
    /// from a pause; what it checks is the stream itself: one SSRC, every sequence number and
    /// timestamp the one after the last, across every handoff, and no more packets than were sent.
    /// </summary>
    private static void CheckRtp(FakeRtpObservation rtp, CallSummary summary, List<string> failures, List<string> errors, ref bool internalError)
    {
        if (rtp.Ssrcs > 1 || rtp.SequenceGaps > 0 || rtp.TimestampJumps > 0)
        {
            failures.Add($"the RTP stream toward the caller broke: {rtp.Ssrcs} SSRCs, {rtp.SequenceGaps} sequence gaps, {rtp.TimestampJumps} timestamp jumps");
        }

        if (summary.Media is { } media && rtp.Packets > media.PacketsSent)
        {
            internalError = true;
            errors.Add($"accounting disagreement: the bridge counted {media.PacketsSent} RTP packets sent, the phone received {rtp.Packets}");
        }
    }
}

/// <summary>The bridge's summary of a replayed call and what the fake carrier observed.</summary>
public sealed record ReplayCallResult(CallSummary Summary, FakeCallerResult Observed);
