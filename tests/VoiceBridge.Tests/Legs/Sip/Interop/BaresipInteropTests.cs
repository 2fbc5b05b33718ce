using System.Globalization;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Faults;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Tests.Support;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Legs.Sip.Interop;

/// <summary>
/// Interop: baresip (Debian baresip-core) calls VoiceBridge over SIP/RTP on loopback, plays a
/// fixture from a file (aufile) and records what it hears (sndfile). The primary provider drops
/// at the agent's second reply: the call fails over to the local cascade mid-call. The phone's
/// own recording must hold the agent's speech before and after the switch with no silence at the
/// switch longer than the handoff the bridge reported, and tshark must see one SSRC with
/// continuous sequence numbers and timestamps toward the phone across it.
/// </summary>
[Collection(RealTimeCollection.Name)]
public sealed class BaresipInteropTests(ITestOutputHelper output)
{
    private static readonly string[] Said =
    [
        "Hello, I would like to book an appointment.",
        "Tomorrow afternoon, if possible.",
        "My name is Maria Lopez.",
    ];

    [Fact]
    public async Task Baresip_completes_a_call_with_a_mid_call_failover_and_hears_no_gap_beyond_the_handoff()
    {
        var dir = Directory.CreateTempSubdirectory("vb-baresip-").FullName;
        var records = Directory.CreateDirectory(Path.Combine(dir, "records")).FullName;
        var caller = InteropAudio.Spaced("booking-ulaw8k.wav", TimeSpan.FromSeconds(7), utterances: Said.Length);
        var wav = Path.Combine(dir, "caller.wav");
        CallRecordingWriter.WriteMono(wav, caller, CallClock.SampleRate);
        var sipPort = SippInteropTests.FreeUdpPort().ToString(CultureInfo.InvariantCulture);
        var template = Path.Combine(RepoPaths.Root, "tests/VoiceBridge.Tests/Legs/Sip/Interop");
        await File.WriteAllTextAsync(Path.Combine(dir, "config"), (await File.ReadAllTextAsync(Path.Combine(template, "baresip-config")))
            .Replace("SIP_PORT", sipPort, StringComparison.Ordinal)
            .Replace("CALLER_WAV_8K_S16_MONO", wav, StringComparison.Ordinal)
            .Replace("RECORD_DIR", records, StringComparison.Ordinal));
        await File.WriteAllTextAsync(Path.Combine(dir, "accounts"), (await File.ReadAllTextAsync(Path.Combine(template, "baresip-accounts")))
            .Replace("SIP_PORT", sipPort, StringComparison.Ordinal));

        var loggers = new TestLoggerFactory(output);
        await using var env = await ReplayEnvironment.StartLoopbackAsync(
            ChainSpec.Default, new SimulatorOptions(), new CallSessionOptions { DryRunTools = true }, loggers, [FaultSpec.Parse("primary:close@turn2")], ReplayLeg.Sip);
        env.Control.AddTranscriptHints(Said);
        var seconds = (int)(CallClock.SamplesToMs(caller.Length) / 1000) + 10;
        var pcap = Path.Combine(dir, "call.pcap");
        await using var capture = await RtpCapture.StartAsync(pcap, seconds + 30);
        await using (var baresip = ExternalTool.Start("baresip", ["-f", dir, "-e", $"/dial sip:agent@{env.Sip!.LocalEndPoint}", "-t", seconds.ToString(CultureInfo.InvariantCulture)], dir))
        {
            await baresip.WaitAsync(TimeSpan.FromSeconds(seconds + 30));
            output.WriteLine(baresip.Output);
        }

        var summary = await env.Bridge.Registry.WhenFirstEnded.WaitAsync(TimeSpan.FromSeconds(15));
        await capture.InterruptAsync();
        var media = summary.Media!;
        output.WriteLine($"bridge: {media}");
        foreach (var t in summary.Turns)
        {
            output.WriteLine($"{t.Role,-9} {t.Engine,-16} {t.StartMs,6}-{t.EndMs,-6} {t.Text}");
        }

        var sw = Assert.Single(summary.Switches ?? []);
        output.WriteLine($"switch {sw.From} -> {sw.To} ({sw.Reason}) detected {sw.DetectedAtMs} ms, first fallback audio {sw.FirstFallbackAudioAtMs} ms, handoff {sw.HandoffMs} ms");
        var heardFile = Directory.GetFiles(records, "dump-*-dec.wav").Single();
        var heard = WavLoader.Load(heardFile).Samples;
        var artefacts = Directory.CreateDirectory(Path.Combine(RepoPaths.Root, "artifacts", "interop")).FullName;
        File.Copy(heardFile, Path.Combine(artefacts, "baresip-heard.wav"), overwrite: true);
        var rtp = await RtpCapture.ReadAsync(pcap, media.LocalRtpPort);
        var (gaps, jumps) = rtp.Continuity();
        output.WriteLine($"captured {rtp.Packets.Count} packets: {rtp.Packets.Select(p => p.Ssrc).Distinct().Count()} SSRCs, {gaps} sequence gaps, {jumps} timestamp jumps; baresip heard {CallClock.SamplesToMs(heard.Length)} ms");

        Assert.Equal(("openai-realtime", "local"), (sw.From, sw.To));
        Assert.NotNull(sw.FirstFallbackAudioAtMs);
        Assert.Equal(Said.Length, summary.Turns.Count(t => t.Role == TurnRole.User));
        Assert.Contains(summary.Turns, t => t.Role == TurnRole.Assistant && t.Engine == "local" && t.AudioMs > 0);
        var missed = media.PacketsSent - rtp.Packets.Count;
        Assert.InRange(missed, 0, media.PacketsSent / 50);
        Assert.Equal([media.Ssrc], rtp.Packets.Select(p => p.Ssrc).Distinct());
        Assert.True(gaps <= missed && jumps <= missed, $"{gaps} sequence gaps and {jumps} timestamp jumps with {missed} packets missed by the capture");

        // The phone's recording starts when its media starts, which is when ours does (within a frame or two).
        var before = InteropAudio.SpeechSegments(heard[..(int)CallClock.MsToSamples(sw.DetectedAtMs)]);
        var after = InteropAudio.SpeechSegments(heard[(int)Math.Min(heard.Length, CallClock.MsToSamples(sw.DetectedAtMs))..]);
        Assert.True(before >= 1 && after >= 1, $"the agent's speech heard by baresip: {before} stretches before the switch, {after} after");
        var from = (int)CallClock.MsToSamples(sw.DetectedAtMs);
        var to = (int)CallClock.MsToSamples(sw.FirstFallbackAudioAtMs!.Value + 200);
        var gap = InteropAudio.LongestGapMs(heard, from, to);
        Assert.True(gap <= (sw.HandoffMs ?? 0) + 300, $"baresip heard {gap} ms of silence at the switch; the bridge reported a handoff of {sw.HandoffMs} ms");
    }
}
