using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Health;
using VoiceBridge.Faults;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Speech;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Replay;

/// <summary>
/// Every call of media-fixtures/manifest.json (the three fixtures and the corpus) replayed in virtual
/// time on <c>openai-realtime,local</c> with the pacing and the faults its manifest entry names, and
/// the corpus's particular promises: the long call's two failovers and failback, the DTMF call's keys
/// as a turn, the Twilio export's caller channel, the MP3's twin. Run with the real-time tests (one
/// at a time): the long call's failback rides on probes, whose session set-up crosses to the thread
/// pool (see FailbackReplayTests).
/// </summary>
[Collection(RealTimeCollection.Name)]
public sealed class CorpusReplayTests(ITestOutputHelper output)
{
    private const string Chain = "openai-realtime,local";

    private static readonly Lazy<IReadOnlyList<CorpusEntry>> Entries = new(CorpusEntry.ReadManifest);

    private static readonly EspeakSynthesizer Voice = new();

    public static TheoryData<string> Files() => [.. Entries.Value.Select(e => e.File)];

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_call_replays_with_its_pacing_and_faults_every_utterance_answered_nothing_lost(string file)
    {
        var entry = Entries.Value.Single(e => e.File == file);
        var (report, _) = Replay(entry);

        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        Assert.Equal(entry.Utterances, report.Turns.Count(t => t is { Role: "user", Dtmf: null }));
        Assert.Equal((0L, 0L), (report.LostCallerAudioMs, report.Outbound.Discontinuities));
        Assert.Equal(entry.Dtmf, report.Turns.Where(t => t.Dtmf is not null).Select(t => t.Dtmf!));
        Assert.Equal(entry.ExpectedSwitches ?? entry.Faults.Count, report.Switches.Count);
        Assert.All(report.Switches, s => Assert.Equal((0L, 0, 0L), (s.LostCallerAudioMs, s.RepeatedAgentWords, s.DuplicateAgentAudioMs)));
    }

    [Fact]
    public void The_long_call_fails_over_twice_and_fails_back_between()
    {
        var (report, _) = Replay(Entries.Value.Single(e => e.File == "long-call-ulaw8k.wav"));

        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        Assert.Equal(
            [("openai-realtime", "local"), ("local", "openai-realtime"), ("openai-realtime", "local")],
            report.Switches.Select(s => (s.From, s.To)));
        Assert.Equal("failback", report.Switches[1].Reason);
        Assert.All(report.Switches.Where((_, i) => i != 1), s => Assert.NotEqual("failback", s.Reason));
        Assert.Contains(report.Turns, t => t.Role == "assistant" && t.Engine == "openai-realtime" && t.StartMs > report.Switches[1].DetectedAtMs);
    }

    [Fact]
    public void The_barge_in_call_cuts_two_replies_and_the_carrier_is_cleared()
    {
        var (report, observed) = Replay(Entries.Value.Single(e => e.File == "bargein-ulaw8k.wav"));

        var cut = report.Turns.Where(t => t is { Role: "assistant", Interrupted: true }).ToList();
        Assert.Equal(2, cut.Count);
        Assert.All(cut, t => Assert.True(t.HeardText is not null && t.HeardText.Length < t.Text.Length, $"heard \"{t.HeardText}\" of \"{t.Text}\""));
        Assert.True(observed.Clears >= 2, $"the carrier got {observed.Clears} clear messages");
    }

    [Fact]
    public void The_tool_call_is_made_and_answered_once_across_the_failover()
    {
        var (report, _) = Replay(Entries.Value.Single(e => e.File == "toolcall-ulaw8k.wav"));

        var call = Assert.Single(report.ToolCalls);
        Assert.Equal(("check_availability", "openai-realtime"), (call.Name, call.Engine));
        Assert.Contains(report.Turns, t => t.Role == "assistant" && t.Text.Contains("openings", StringComparison.Ordinal));
        Assert.Equal(("openai-realtime", "local"), (report.Switches[0].From, report.Switches[0].To));
    }

    [Fact]
    public void The_keys_typed_in_the_dtmf_call_reach_the_agent_as_one_turn_that_is_answered()
    {
        var (report, _) = Replay(Entries.Value.Single(e => e.File == "dtmf-ulaw8k.wav"));

        var key = Assert.Single(report.Turns, t => t.Dtmf is not null);
        Assert.Equal(("user", "1205#", "[DTMF 1205#]"), (key.Role, key.Dtmf, key.Text));
        var turns = report.Turns.ToList();
        var answer = turns.Skip(turns.IndexOf(key) + 1).First(t => t.Role == "assistant");
        Assert.Contains("1205#", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_takes_the_caller_channel_of_the_twilio_export_and_the_recorded_agent_never_reaches_the_bridge()
    {
        var path = RepoPaths.Fixture("twilio-dual-8k.wav");
        var auto = WavLoader.Load(path);
        var right = WavLoader.Load(path, ChannelSelection.Right).Samples;
        output.WriteLine(auto.ChannelChoice);

        Assert.StartsWith("left (auto", auto.ChannelChoice, StringComparison.Ordinal);
        Assert.Equal(WavLoader.Load(path, ChannelSelection.Left).Samples, auto.Samples);

        // The agent's greeting fills the right channel from 0.5 s; the caller sent silence then.
        var (report, observed) = Replay(Entries.Value.Single(e => e.File == "twilio-dual-8k.wav"));
        var greeting = new Range(CallClock.SampleRate / 2, CallClock.SampleRate * 3);
        Assert.True(Rms(right.AsSpan(greeting)) > 500, "the export has no agent voice on its right channel");
        Assert.True(Rms(observed.CallerTrack.AsSpan(greeting)) < 1, "the recorded agent reached the bridge");
        Assert.Equal(ReplayInputs.Sidecar(path), report.Turns.Where(t => t.Role == "user").Select(t => t.Text));
    }

    [Fact]
    public void The_mp3_copy_decodes_to_its_wav_twin_within_the_codecs_error()
    {
        var mp3 = WavLoader.Load(RepoPaths.Fixture("hours-pcm16k.mp3"));
        var wav = WavLoader.Load(RepoPaths.Fixture("hours-pcm16k.wav"));
        output.WriteLine($"{mp3.SourceEncoding}: {mp3.Samples.Length} samples, the WAV {wav.Samples.Length}");

        // Without a gapless tag (sox writes none) the encoder's padding stays: under two frames of 576 source samples.
        Assert.InRange(mp3.Samples.Length, wav.Samples.Length, wav.Samples.Length + (2 * 576 * CallClock.SampleRate / mp3.SourceRate));
        double signal = 0, error = 0;
        for (var i = 0; i < wav.Samples.Length; i++)
        {
            signal += (double)wav.Samples[i] * wav.Samples[i];
            error += (double)(wav.Samples[i] - mp3.Samples[i]) * (wav.Samples[i] - mp3.Samples[i]);
        }

        var snrDb = 10 * Math.Log10(signal / error);
        output.WriteLine($"signal to error {snrDb:0.0} dB");
        Assert.True(snrDb > 15, $"the MP3 is {snrDb:0.0} dB from its twin: misaligned or misdecoded");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Keys_are_found_only_where_the_manifest_has_them(string file)
    {
        var entry = Entries.Value.Single(e => e.File == file);

        var keys = DtmfToneDetector.Detect(WavLoader.Load(RepoPaths.Fixture(file)).Samples);

        Assert.Equal(string.Concat(entry.Dtmf), string.Concat(keys.Select(k => k.Digit)));
    }

    private static double Rms(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (var s in samples)
        {
            sum += (double)s * s;
        }

        return Math.Sqrt(sum / samples.Length);
    }

    private (ReplayCallReport Report, FakeCallerResult Observed) Replay(CorpusEntry entry)
    {
        var path = RepoPaths.Fixture(entry.File);
        var expected = ReplayInputs.Sidecar(path);
        var recording = WavLoader.Load(path);
        var chain = ChainSpec.Parse(Chain);
        var faults = entry.Faults.Select(FaultSpec.Parse).ToList();
        ReplayEnvironment.ValidateFaults(chain, faults);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var loggers = new TestLoggerFactory(output);
        var callerOptions = new FakeCallerOptions { Pacing = entry.Pacing };
        var result = VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(5), async () =>
        {
            var options = new CallSessionOptions { DryRunTools = true, Apology = LastResort.Render(Voice) };
            await using var env = ReplayEnvironment.CreateVirtual(chain, new SimulatorOptions { Synthesizer = Voice }, options, time, loggers, faults, entry.Health);
            return await ReplayCall.RunAsync(env, recording, expected, callerOptions, time, CancellationToken.None);
        });
        var report = ReplayCall.Evaluate(path, result, expected, [.. chain.Engines.Select(e => e.Name)], null);
        output.WriteLine($"{entry.File}: {recording.ChannelChoice}; {entry.Pacing}; faults {string.Join(" ", entry.Faults)}");
        foreach (var t in report.Turns)
        {
            output.WriteLine($"{t.Role,-9} {t.Engine,-16} {t.StartMs,6}-{t.EndMs,-6} {(t.Interrupted ? "[cut] " : "")}{t.Text}");
        }

        foreach (var line in report.Switches.Select(s => s.ToString()).Concat(report.Failures).Concat(report.Errors))
        {
            output.WriteLine(line);
        }

        return (report, result.Observed);
    }

    /// <summary>One call of the manifest, as the replay of it needs it.</summary>
    private sealed record CorpusEntry(
        string File, int Utterances, ReplayPacing Pacing, IReadOnlyList<string> Faults, IReadOnlyList<string> Dtmf, ProviderHealthOptions? Health, int? ExpectedSwitches)
    {
        public static IReadOnlyList<CorpusEntry> ReadManifest()
        {
            using var manifest = JsonDocument.Parse(System.IO.File.ReadAllText(RepoPaths.Fixture("manifest.json")));
            var root = manifest.RootElement;
            return [.. root.GetProperty("fixtures").EnumerateArray().Concat(root.GetProperty("corpus").EnumerateArray()).Select(Of)];
        }

        private static CorpusEntry Of(JsonElement e)
        {
            ProviderHealthOptions? health = null;
            if (e.TryGetProperty("failback", out var f))
            {
                health = new ProviderHealthOptions
                {
                    BreakDuration = TimeSpan.FromSeconds(f.GetProperty("break_duration_s").GetDouble()),
                    ProbeInterval = TimeSpan.FromSeconds(f.GetProperty("probe_interval_s").GetDouble()),
                    FailbackMinDwell = TimeSpan.FromSeconds(f.GetProperty("failback_min_dwell_s").GetDouble()),

                    // As FailbackReplayTests: a probe's set-up may answer late in virtual time under load.
                    ProbeTimeout = TimeSpan.FromSeconds(60),
                };
            }

            return new CorpusEntry(
                e.GetProperty("file").GetString()!,
                e.GetProperty("utterance_count").GetInt32(),
                e.GetProperty("pacing").GetString() == "timeline" ? ReplayPacing.Timeline : ReplayPacing.TurnAware,
                [.. e.GetProperty("faults").EnumerateArray().Select(x => x.GetString()!)],
                [.. e.GetProperty("dtmf").EnumerateArray().Select(x => x.GetProperty("keys").GetString()!)],
                health,
                e.TryGetProperty("switches", out var s) ? s.GetArrayLength() : null);
        }
    }
}
