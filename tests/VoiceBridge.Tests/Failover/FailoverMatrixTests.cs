using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Cascade.Llm;
using VoiceBridge.Faults;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Speech;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Failover;

/// <summary>
/// The correctness matrix (issue 5): every fixture of media-fixtures/manifest.json x every fault of
/// <see cref="FaultMatrix"/>'s <c>all</c> matrix, on the whole call path in virtual time, for each
/// chain below. xunit runs test classes in parallel, not the cases of one, so the cases of the
/// local chain (about 0.8 s each: pocketsphinx decodes every caller turn after the switch) are
/// dealt into three classes, and the Realtime chain's (about 0.1 s each) make one.
/// </summary>
public abstract partial class FailoverMatrixTests(ITestOutputHelper output)
{
    private static readonly Lazy<IReadOnlyList<(string File, int Utterances)>> Fixtures = new(ReadManifest);

    /// <summary>One espeak-ng voice for every case (it caches per text: the simulator's replies are a script).</summary>
    private static readonly EspeakSynthesizer Voice = new();

    private static readonly Lazy<byte[]> Apology = new(() => LastResort.Render(Voice));

    /// <summary>
    /// Every fixture of the manifest x every fault of the <c>all</c> matrix, dealt into
    /// <paramref name="shards"/> parts; this is part <paramref name="shard"/> (from 0).
    /// </summary>
    public static TheoryData<string, string> Cases(int shard, int shards)
    {
        var data = new TheoryData<string, string>();
        var all = Fixtures.Value.SelectMany(f => FaultMatrix.Named("all").Select(fault => (f.File, Fault: fault.ToString())));
        foreach (var (file, fault) in all.Where((_, i) => i % shards == shard))
        {
            data.Add(file, fault);
        }

        return data;
    }

    /// <summary>Replays <paramref name="fixture"/> with <paramref name="fault"/> on <paramref name="chainText"/> and checks every acceptance figure; fails once with every problem found.</summary>
    protected void Check(string chainText, string fixture, string fault, ReplayLeg leg = ReplayLeg.Twilio)
    {
        var spec = FaultSpec.Parse(fault);
        var utterances = Fixtures.Value.Single(f => f.File == fixture).Utterances;
        var expected = FaultMatrix.Expect(spec, utterances);
        var chain = ChainSpec.Parse(chainText);
        var (report, summary, fired) = Replay(fixture, chain, spec, leg);
        var problems = new List<string>();
        void Require(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add(problem);
            }
        }

        Require(fired > 0, $"the fault {fault} never struck: the case tests nothing");
        Require(report.Status == CallStatus.Passed, $"status {report.Status}: {string.Join("; ", report.Failures.Concat(report.Errors))}");
        Require(report.Turns.Count(t => t.Role == "user") == utterances, $"{report.Turns.Count(t => t.Role == "user")} user turns, the manifest has {utterances} utterances");
        problems.AddRange(AnsweredExactlyOnce(summary, chain));
        Require(report.LostCallerAudioMs == 0, $"lostCallerAudioMs {report.LostCallerAudioMs}");
        Require(report.Outbound.Discontinuities == 0, $"outbound discontinuities {report.Outbound.Discontinuities}");
        if (leg == ReplayLeg.Sip)
        {
            Require(report.Rtp is { Ssrcs: 1, SequenceGaps: 0, TimestampJumps: 0 }, $"the RTP toward the caller: {report.Rtp}");
        }

        var switches = report.Switches.Count;
        Require(expected.Switches ? switches == 1 || (expected.Optional && switches == 0) : switches == 0,
            $"{switches} switches ({string.Join(", ", report.Switches.Select(s => $"{s.Reason} at {s.DetectedAtMs} ms"))}); FaultMatrix expects {expected}");
        var userTurns = report.Turns.Where(t => t.Role == "user").ToList();
        foreach (var sw in report.Switches)
        {
            Require((sw.From, sw.To) == (chain.Engines[0].Name, chain.Engines[1].Name), $"switch {sw.From} -> {sw.To}");
            Require(expected.Reasons.Contains(sw.Reason), $"switch reason {sw.Reason}; FaultMatrix expects {expected}");
            Require(sw.LostCallerAudioMs == 0, $"switch lostCallerAudioMs {sw.LostCallerAudioMs}");
            Require(sw.RepeatedAgentWords == 0, $"switch repeatedAgentWords {sw.RepeatedAgentWords}");
            Require(sw.DuplicateAgentAudioMs == 0, $"switch duplicateAgentAudioMs {sw.DuplicateAgentAudioMs}");
            Require(sw.OutboundDiscontinuities == 0, $"switch outboundDiscontinuities {sw.OutboundDiscontinuities}");
            Require(sw.FirstFallbackAudioAtMs is not null, "the fallback never spoke");
            Require(sw.FaultAtMs is not null && sw.FaultAtMs <= sw.DetectedAtMs, $"fault at {sw.FaultAtMs?.ToString() ?? "?"} ms, detected at {sw.DetectedAtMs} ms");
            if (expected is { Soft: true, AtTurn: { } atTurn } && atTurn <= userTurns.Count)
            {
                // A soft switch waits for the turn boundary after the turn that made the Nth bad one in a row.
                var (after, before) = (userTurns[atTurn - 1].EndMs, atTurn < userTurns.Count ? userTurns[atTurn].StartMs : long.MaxValue);
                Require(sw.DetectedAtMs >= after && sw.DetectedAtMs <= before, $"soft switch at {sw.DetectedAtMs} ms, not between caller turn {atTurn} (ends {after} ms) and the next (starts {before} ms)");
            }

            // As FailoverReplayTests counts them: everything said before the switch (a reply cut by it as far as
            // it was heard, even if it played on after the switch), except a caller turn still being spoken.
            var turnsBefore = report.Turns.Count(t => BeforeSwitch(t.Role == "user", t.Engine, t.Text, t.StartMs, t.EndMs, t.Interrupted, sw));
            Require(sw.HistoryTurnsCarried == turnsBefore, $"historyTurnsCarried {sw.HistoryTurnsCarried}, turns before the switch {turnsBefore}");
            if (chain.Engines[1].Kind == EngineKind.Cascade && turnsBefore > 0)
            {
                problems.AddRange(CascadeKnewTheEarlierTurns(summary, sw));
            }
        }

        Assert.True(problems.Count == 0, $"{chainText} {fixture} {fault}:\n  " + string.Join("\n  ", problems));
    }

    /// <summary>
    /// A turn said before the switch, to be carried to the next engine (FailoverReplayTests' rule). A
    /// reply of the new engine that starts in the very millisecond of the switch (audio goes out as it
    /// arrives, not at the next tick) came after it.
    /// </summary>
    private static bool BeforeSwitch(bool user, string engine, string text, long startMs, long endMs, bool interrupted, SwitchReport sw) =>
        (startMs < sw.DetectedAtMs || (startMs == sw.DetectedAtMs && (user || engine != sw.To)) || (interrupted && engine == sw.From))
        && text.Length > 0 && !(user && endMs > sw.DetectedAtMs);

    /// <summary>
    /// Each caller turn is answered, by one engine, once: ReplayCall.Evaluate checks that a reply
    /// exists and that no two engines answered in full (a reply marked interrupted does not count).
    /// Here a reply counts as given in full when it was not interrupted or the caller heard all of
    /// its words anyway (an item the switch "cut" after it was all sent and played), and when it has
    /// words (a continuation with nothing left to say is no answer); then one engine answering
    /// after another is a turn answered twice, one engine must not say the same reply twice, and a
    /// Realtime engine (one spoken response per turn) must not answer twice.
    /// </summary>
    private static IEnumerable<string> AnsweredExactlyOnce(CallSummary summary, ChainSpec chain)
    {
        var turns = summary.Turns;
        var n = 0;
        for (var i = 0; i < turns.Count; i++)
        {
            if (turns[i].Role != TurnRole.User)
            {
                continue;
            }

            n++;
            var user = turns[i];
            var full = turns.Skip(i + 1).TakeWhile(t => t.Role != TurnRole.User)
                .Where(t => t.Role == TurnRole.Assistant && t.AudioMs > 0 && t.StartMs > 0 && Words(t.Text).Length > 0 && (!t.Interrupted || HeardInFull(t, user, chain)))
                .ToList();
            if (full.Select(t => t.Engine).Distinct().Count() > 1)
            {
                yield return $"user turn {n} (\"{turns[i].Text}\"): answered in full by {string.Join(" and ", full.Select(t => $"{t.Engine} (\"{t.Text}\"{(t.Interrupted ? ", marked cut but heard in full" : "")})"))}";
            }

            if (full.GroupBy(t => (t.Engine, Normalize(t.Text))).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                yield return $"user turn {n} (\"{turns[i].Text}\"): {twice.Key.Engine} said \"{twice.First().Text}\" {twice.Count()} times";
            }

            var realtime = full.Where(t => chain.Engines.Any(e => e.Name == t.Engine && e.Kind == EngineKind.Realtime)).ToList();
            if (realtime.Count > 1)
            {
                yield return $"user turn {n} (\"{turns[i].Text}\"): answered in full {realtime.Count} times: {string.Join(" | ", realtime.Select(t => $"{t.Engine}: {t.Text}"))}";
            }
        }
    }

    /// <summary>
    /// The local cascade's first reply after the switch is what its scripted dialog says knowing the
    /// whole conversation (the slots filled and the task begun before the switch), or the rest of it
    /// when it continues a reply the switch cut off (FAILOVER.md handoff step 5: the words heard are
    /// not said again). When the dialog would say something else knowing only what came after the
    /// switch, the reply proves the history was carried.
    /// </summary>
    private IEnumerable<string> CascadeKnewTheEarlierTurns(CallSummary summary, SwitchReport sw)
    {
        var turns = summary.Turns;
        var first = turns.FirstOrDefault(t => t.Role == TurnRole.Assistant && t.Engine == sw.To && t.Text.Length > 0);
        if (first is null)
        {
            yield return $"{sw.To} never replied";
            yield break;
        }

        // The conversation up to that reply, less the old engine's replies since the last caller turn:
        // the new engine answers that turn (continuing a cut reply if it was one).
        var upTo = turns.TakeWhile(t => t != first).ToList();
        var lastUser = upTo.FindLastIndex(t => t.Role == TurnRole.User);
        var cut = upTo.Skip(lastUser + 1).LastOrDefault(t => t.Role == TurnRole.Assistant && t.Engine == sw.From);
        upTo = [.. upTo.Where((t, i) => i <= lastUser || t.Role == TurnRole.User)];
        var calls = summary.ToolCalls.Where(c => c.Engine == sw.From).ToList();
        var knowing = Decide(upTo, calls);
        var forgetting = Decide([.. upTo.Where(t => !BeforeSwitch(t.Role == TurnRole.User, t.Engine, t.Text, t.StartMs, t.EndMs, t.Interrupted, sw))], []);
        var heard = cut?.HeardText ?? "";
        var proof = Words(knowing).SequenceEqual(Words(forgetting)) ? " (the same: not a proof)" : "";
        output.WriteLine($"history check: first {sw.To} reply \"{first.Text}\"; knowing the history \"{knowing}\"; without it \"{forgetting}\"{proof}; heard of a cut reply \"{heard}\"");
        if (!Says(first.Text, knowing, heard))
        {
            var without = Says(first.Text, forgetting, heard) ? "; it is what it says without them" : "";
            yield return $"{sw.To}'s first reply \"{first.Text}\" is not what the dialog says knowing the earlier turns (\"{knowing}\"{(heard.Length > 0 ? $", less the words heard \"{heard}\"" : "")}){without}";
        }
    }

    /// <summary>
    /// A simulated Realtime reply marked cut that was nonetheless complete (its text is the whole
    /// scripted answer to <paramref name="user"/>, a tool's output aside) and played to its end (all
    /// its audio heard, or all its words by the heard-text estimate).
    /// </summary>
    private static bool HeardInFull(ConversationTurn reply, ConversationTurn user, ChainSpec chain)
    {
        var played = reply.HeardAudioMs >= reply.AudioMs || Words(reply.HeardText ?? "").SequenceEqual(Words(reply.Text));
        if (!played || !chain.Engines.Any(e => e.Name == reply.Engine && e.Kind == EngineKind.Realtime))
        {
            return false;
        }

        var parts = SimulatorScript.Default.Answer(user.Text).Reply.Split("{output}");
        var (said, before, after) = (Words(reply.Text), Words(parts[0]), Words(parts[^1]));
        return parts.Length == 1
            ? said.SequenceEqual(before)
            : said.Length >= before.Length + after.Length && said.Take(before.Length).SequenceEqual(before) && said.TakeLast(after.Length).SequenceEqual(after);
    }

    /// <summary><paramref name="reply"/> is <paramref name="full"/>, or its rest after the words heard when those begin it.</summary>
    /// <summary>The reply is the dialog's answer, or what the continuation rule makes of it after the heard words.</summary>
    private static bool Says(string reply, string full, string heard) =>
        Words(reply).SequenceEqual(Words(full)) || (heard.Length > 0 && Words(reply).SequenceEqual(Words(Continuation.Remainder(heard, full))));

    private static string[] Words(string text) =>
        [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => w.Trim('.', ',', '!', '?', ';', ':', '"').ToLowerInvariant()).Where(w => w.Length > 0)];

    private static string Decide(IReadOnlyList<ConversationTurn> turns, IReadOnlyList<ToolCallRecord> calls)
    {
        var conversation = new Conversation("");
        foreach (var t in turns)
        {
            conversation.Add(t);
        }

        foreach (var c in calls)
        {
            conversation.AddToolCall(c);
        }

        return DialogState.Decide(DialogScript.BrightSmileDental, ConversationMessages.From(conversation), _ => true).Text;
    }

    private static string Normalize(string text) => Spaces().Replace(text, " ").Trim();

    /// <summary>
    /// The fake caller waits for the agent to be silent this long before it speaks again: longer
    /// than the audio stall [1000 ms], so a stalled reply is caught before the caller talks over it
    /// (the default 800 ms plus the 200 ms resume lead races the stall timer; on the noisy fixture
    /// the resumed noise after a digitally silent hold opens a turn at once and wins the race).
    /// </summary>
    private static readonly TimeSpan CallerPatience = TimeSpan.FromMilliseconds(1200);

    private (ReplayCallReport Report, CallSummary Summary, int FaultsFired) Replay(string fixture, ChainSpec chain, FaultSpec fault, ReplayLeg leg)
    {
        var path = RepoPaths.Fixture(fixture);
        var expected = ReplayInputs.Sidecar(path);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var loggers = new TestLoggerFactory(output);
        var recording = WavLoader.Load(path);
        ReplayEnvironment.ValidateFaults(chain, [fault]);
        var fired = 0;
        var result = VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(3), async () =>
        {
            var options = new CallSessionOptions { DryRunTools = true, Apology = Apology.Value };
            await using var env = ReplayEnvironment.CreateVirtual(chain, new SimulatorOptions { Synthesizer = Voice }, options, time, loggers, [fault], leg: leg);
            var run = await ReplayCall.RunAsync(env, recording, expected, new FakeCallerOptions { ReplyIdle = CallerPatience }, time, CancellationToken.None);
            fired = env.Simulators.Values.Sum(s => s.Faults.Fired.Count);
            return run;
        });
        var report = ReplayCall.Evaluate(path, result, expected, [.. chain.Engines.Select(e => e.Name)], null);
        foreach (var t in result.Summary.Turns)
        {
            var audio = t.Role == TurnRole.Assistant ? $" audio={t.HeardAudioMs}/{t.AudioMs}" : "";
            output.WriteLine($"{t.Role,-9} {t.Engine,-16} {t.StartMs,6}-{t.EndMs,-6} lat={t.FirstAudioLatencyMs}{audio} {(t.Interrupted ? "[cut] " : "")}{t.Text} | heard: {t.HeardText}");
        }

        foreach (var s in report.Switches)
        {
            output.WriteLine(s.ToString());
        }

        return (report, result.Summary, fired);
    }

    private static IReadOnlyList<(string File, int Utterances)> ReadManifest()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(RepoPaths.Fixture("manifest.json")));
        return [.. manifest.RootElement.GetProperty("fixtures").EnumerateArray()
            .Select(f => (f.GetProperty("file").GetString()!, f.GetProperty("utterance_count").GetInt32()))];
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}

/// <summary>The default chain: the local cascade (its scripted dialog knows slots) takes over. A third of the cases.</summary>
public sealed class FailoverMatrixLocal1Tests(ITestOutputHelper output) : FailoverMatrixTests(output)
{
    [Theory]
    [MemberData(nameof(Cases), 0, 3)]
    public void Openai_realtime_then_local(string fixture, string fault) => Check("openai-realtime,local", fixture, fault);
}

/// <summary>The default chain, the second third of the cases.</summary>
public sealed class FailoverMatrixLocal2Tests(ITestOutputHelper output) : FailoverMatrixTests(output)
{
    [Theory]
    [MemberData(nameof(Cases), 1, 3)]
    public void Openai_realtime_then_local(string fixture, string fault) => Check("openai-realtime,local", fixture, fault);
}

/// <summary>The default chain, the last third of the cases.</summary>
public sealed class FailoverMatrixLocal3Tests(ITestOutputHelper output) : FailoverMatrixTests(output)
{
    [Theory]
    [MemberData(nameof(Cases), 2, 3)]
    public void Openai_realtime_then_local(string fixture, string fault) => Check("openai-realtime,local", fixture, fault);
}

/// <summary>A second Realtime provider takes over, seeded with the conversation as items.</summary>
public sealed class FailoverMatrixAzureTests(ITestOutputHelper output) : FailoverMatrixTests(output)
{
    [Theory]
    [MemberData(nameof(Cases), 0, 1)]
    public void Openai_realtime_then_azure_realtime(string fixture, string fault) => Check("openai-realtime,azure-realtime", fixture, fault);
}

/// <summary>
/// The same matrix over the SIP leg (issue 6): the caller is a SIP phone sending RTP, and the RTP
/// toward it must stay one stream (one SSRC, no sequence or timestamp break) across every switch.
/// Both chains take every case, the local one dealt into three classes as above.
/// </summary>
public sealed class FailoverMatrixSipTests(ITestOutputHelper output) : FailoverMatrixTests(output)
{
    [Theory]
    [MemberData(nameof(Cases), 0, 1)]
    public void Openai_realtime_then_azure_realtime_over_sip(string fixture, string fault) => Check("openai-realtime,azure-realtime", fixture, fault, ReplayLeg.Sip);
}

/// <summary>The default chain over the SIP leg, a third of the cases.</summary>
public sealed class FailoverMatrixSipLocal1Tests(ITestOutputHelper output) : FailoverMatrixTests(output)
{
    [Theory]
    [MemberData(nameof(Cases), 0, 3)]
    public void Openai_realtime_then_local_over_sip(string fixture, string fault) => Check("openai-realtime,local", fixture, fault, ReplayLeg.Sip);
}

/// <summary>The default chain over the SIP leg, the second third.</summary>
public sealed class FailoverMatrixSipLocal2Tests(ITestOutputHelper output) : FailoverMatrixTests(output)
{
    [Theory]
    [MemberData(nameof(Cases), 1, 3)]
    public void Openai_realtime_then_local_over_sip(string fixture, string fault) => Check("openai-realtime,local", fixture, fault, ReplayLeg.Sip);
}

/// <summary>The default chain over the SIP leg, the last third.</summary>
public sealed class FailoverMatrixSipLocal3Tests(ITestOutputHelper output) : FailoverMatrixTests(output)
{
    [Theory]
    [MemberData(nameof(Cases), 2, 3)]
    public void Openai_realtime_then_local_over_sip(string fixture, string fault) => Check("openai-realtime,local", fixture, fault, ReplayLeg.Sip);
}
