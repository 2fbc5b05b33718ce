using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Speech;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Replay;

/// <summary>
/// Barge-in end to end on virtual time: fake Twilio, bridge, Realtime client and simulator over
/// in-memory WebSockets. The caller asks a question, then talks over the agent's reply with a
/// second one, recorded as a timeline (the caller does not wait for the agent).
/// </summary>
public sealed class BargeInReplayTests(ITestOutputHelper output)
{
    private const string Question = "Hi, what are your opening hours?";
    private const string Interruption = "Can I come in on Saturday?";

    /// <summary>Silence between the question and the interruption: the reply to the question has just begun.</summary>
    private static readonly TimeSpan Gap = TimeSpan.FromSeconds(1.0);

    private static readonly Lazy<short[]> Recording = new(BuildRecording);

    [Fact]
    public void Caller_talking_over_the_reply_clears_the_carrier_and_cuts_the_turn_to_what_was_heard()
    {
        var (result, report) = Run();
        var (summary, observed) = (result.Summary, result.Observed);
        var turns = summary.Turns.ToList();
        output.WriteLine(Describe(report));
        output.WriteLine($"carrier: {observed.Clears} clear, {observed.MarksPlayed} marks played, {observed.MarksFlushed} flushed; "
            + $"cut turn: {turns.First(t => t.Interrupted).HeardAudioMs} ms heard of {turns.First(t => t.Interrupted).AudioMs} ms received");

        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        Assert.Empty(summary.Errors);
        Assert.Equal([Question, Interruption], turns.Where(t => t.Role == TurnRole.User).Select(t => t.Text));

        // The carrier was told to drop what it buffered, and the marks queued behind that audio came back flushed.
        Assert.True(observed.Clears >= 1, $"the carrier got {observed.Clears} clear messages");
        Assert.True(observed.MarksFlushed >= 1, $"the carrier flushed {observed.MarksFlushed} marks");

        // The reply to the question was cut: the caller heard only its first part.
        var assistant = turns.Where(t => t.Role == TurnRole.Assistant).ToList();
        Assert.Equal(2, assistant.Count);
        var cut = assistant[0];
        Assert.Equal(SimulatorScript.Default.Answer(Question).Reply, cut.Text);
        Assert.True(cut.Interrupted);
        Assert.NotNull(cut.HeardText);
        Assert.StartsWith(cut.HeardText, cut.Text, StringComparison.Ordinal);
        Assert.True(Words(cut.HeardText) < Words(cut.Text), $"heard \"{cut.HeardText}\" of \"{cut.Text}\"");
        Assert.InRange(cut.HeardAudioMs, 0, cut.AudioMs - 1);
        var interruption = turns.Last(t => t.Role == TurnRole.User);
        Assert.True(cut.StartMs < interruption.StartMs, "the reply was playing when the caller started talking");

        // The interruption got its own answer, heard to the end.
        var answer = assistant[1];
        Assert.True(turns.IndexOf(answer) > turns.IndexOf(interruption));
        Assert.Equal(SimulatorScript.Default.Answer(Interruption).Reply, answer.Text);
        Assert.False(answer.Interrupted);
        Assert.True(answer.AudioMs > 0 && answer.StartMs > interruption.EndMs);
        Assert.Equal(answer.Text, answer.HeardText);

        Assert.Equal(0, summary.OutboundDiscontinuities);
        Assert.Equal(0, observed.Dropouts);
        Assert.Equal(0, summary.LostCallerAudioMs);
    }

    [Fact]
    public void The_same_barge_in_call_replays_identically()
    {
        var (firstResult, first) = Run();
        var (secondResult, second) = Run();

        Assert.Equal(Describe(first), Describe(second));
        Assert.Equal(first.Turns, second.Turns);
        Assert.Equal(first.Outbound, second.Outbound);
        Assert.Equal(first.DurationMs, second.DurationMs);
        var (a, b) = (firstResult.Observed, secondResult.Observed);
        Assert.Equal((a.Clears, a.MarksPlayed, a.MarksFlushed, a.FramesReceived), (b.Clears, b.MarksPlayed, b.MarksFlushed, b.FramesReceived));
        Assert.True(a.AgentTrack.AsSpan().SequenceEqual(b.AgentTrack), "the caller heard different audio in the two runs");
    }

    private (ReplayCallResult Result, ReplayCallReport Report) Run()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var loggers = new TestLoggerFactory(output);
        var recording = new CallerRecording("barge-in (synthetic)", Recording.Value, CallClock.SampleRate, 1, "espeak-ng");
        var expected = new[] { Question, Interruption };
        var callerOptions = new FakeCallerOptions
        {
            Pacing = ReplayPacing.Timeline,
            CallSid = "CA00000000000000000000000000barge",
            StreamSid = "MZ00000000000000000000000000barge",
        };
        var result = VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(2), async () =>
        {
            await using var env = ReplayEnvironment.CreateVirtual(ChainSpec.Parse("openai-realtime"), new SimulatorOptions(), SessionOptions(), time, loggers);
            return await ReplayCall.RunAsync(env, recording, expected, callerOptions, time, CancellationToken.None);
        });
        return (result, ReplayCall.Evaluate(recording.Path, result, expected, ["openai-realtime (simulated)"], null));
    }

    /// <summary>
    /// The bridge keeps 200 ms in the carrier's buffer (a modest jitter buffer; the default is 60 ms).
    /// A mark goes out every 100 ms, so at any instant at least one is waiting behind unplayed audio
    /// and the barge-in must flush it; with a 60 ms lead that depends on the phase of the barge-in.
    /// </summary>
    private static CallSessionOptions SessionOptions() => new()
    {
        DryRunTools = true,
        Playout = new PlayoutOptions { LeadFrames = 10, MarkEveryFrames = 5 },
    };

    /// <summary>0.5 s silence, the question, 1.0 s silence, the interruption, 6 s silence (8 kHz PCM).</summary>
    private static short[] BuildRecording()
    {
        var tts = new EspeakSynthesizer();
        var samples = new List<short>();
        samples.AddRange(Silence(TimeSpan.FromSeconds(0.5)));
        samples.AddRange(Speech(tts, Question));
        samples.AddRange(Silence(Gap));
        samples.AddRange(Speech(tts, Interruption));
        samples.AddRange(Silence(TimeSpan.FromSeconds(6)));
        return [.. samples];
    }

    /// <summary>An utterance without the silence espeak-ng puts around it, so the gaps are what they say.</summary>
    private static short[] Speech(EspeakSynthesizer tts, string text)
    {
        var mulaw = tts.SynthesizeMuLaw(text);
        var pcm = new short[mulaw.Length];
        G711.MuLawDecode(mulaw, pcm);
        var first = Array.FindIndex(pcm, s => Math.Abs((int)s) > 64);
        var last = Array.FindLastIndex(pcm, s => Math.Abs((int)s) > 64);
        Assert.True(first >= 0, $"espeak-ng produced no audible audio for \"{text}\"");
        return pcm[first..(last + 1)];
    }

    private static short[] Silence(TimeSpan length) => new short[(int)(length.TotalSeconds * CallClock.SampleRate)];

    private static int Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    private static string Describe(ReplayCallReport report) => string.Join("\n", report.Turns.Select(t =>
        $"{t.Role} {t.StartMs}-{t.EndMs} lat={t.FirstAudioLatencyMs} interrupted={t.Interrupted} \"{t.Text}\" heard=\"{t.HeardText}\""))
        + $"\noutbound {report.Outbound}; duration {report.DurationMs} ms";
}
