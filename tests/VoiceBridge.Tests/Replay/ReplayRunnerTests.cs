using System.Text.Json;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Speech;
using VoiceBridge.Tests.Support;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Replay;

/// <summary>
/// <c>voicebridge replay</c> as users meet it: real loopback sockets, a report on disk, exit codes.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimeCollection.Name)]
public sealed class ReplayRunnerTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vb-replay-").FullName;

    [Fact]
    public async Task Bad_files_exit_2_naming_each_file_while_valid_files_still_get_their_report()
    {
        var good = Path.Combine(_dir, "short-call.wav");
        WriteShortCall(good, "What are your opening hours?");
        File.WriteAllText(Path.Combine(_dir, "short-call.txt"), "What are your opening hours?\n");
        var truncated = Path.Combine(_dir, "truncated.wav");
        var bytes = File.ReadAllBytes(good);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var text = Path.Combine(_dir, "notes.wav");
        File.WriteAllText(text, "this is not audio\n");
        var empty = Path.Combine(_dir, "empty.wav");
        File.WriteAllBytes(empty, []);

        var console = new StringWriter();
        var options = new ReplayRunOptions { OutDir = Path.Combine(_dir, "out") };
        var exit = await new ReplayRunner(options, new TestLoggerFactory(output), console).RunAsync([good, truncated, text, empty], CancellationToken.None);
        output.WriteLine(console.ToString());

        Assert.Equal(2, exit);
        var printed = console.ToString();
        foreach (var bad in new[] { truncated, text, empty })
        {
            Assert.Contains(bad, printed);
        }

        Assert.Contains("truncated", printed);
        Assert.Contains("not a WAV", printed);
        Assert.Contains("empty", printed);

        using var report = JsonDocument.Parse(File.ReadAllText(options.EffectiveReportPath));
        var calls = report.RootElement.GetProperty("calls").EnumerateArray().ToList();
        Assert.Equal(4, calls.Count);
        var passed = calls.Single(c => c.GetProperty("file").GetString() == good);
        Assert.Equal("passed", passed.GetProperty("status").GetString());
        Assert.Equal(0, passed.GetProperty("outbound").GetProperty("discontinuities").GetInt64());
        Assert.True(File.Exists(passed.GetProperty("recording").GetString()));
        Assert.Equal(3, calls.Count(c => c.GetProperty("status").GetString() == "bad-input"));
        Assert.Equal(2, report.RootElement.GetProperty("summary").GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task A_recording_whose_manifest_lists_more_utterances_than_were_said_fails_with_exit_1()
    {
        var file = Path.Combine(_dir, "one-utterance.wav");
        WriteShortCall(file, "Can I come in on Saturday?");
        File.WriteAllText(Path.Combine(_dir, "one-utterance.txt"), "Can I come in on Saturday?\nAnd on Sunday?\n");

        var console = new StringWriter();
        var exit = await new ReplayRunner(new ReplayRunOptions { OutDir = Path.Combine(_dir, "out") }, new TestLoggerFactory(output), console)
            .RunAsync([file], CancellationToken.None);
        output.WriteLine(console.ToString());

        Assert.Equal(1, exit);
        Assert.Contains("the manifest lists 2 utterances; the call had 1 user turns", console.ToString());
    }

    [Theory]
    [InlineData("local")]
    [InlineData("cascade-remote")]
    [InlineData("cascade(stt=deepgram,llm=claude,tts=openai)")]
    [InlineData("cascade(stt=openai,llm=scripted,tts=espeak)")]
    [InlineData("openai-realtime,local")]
    public async Task Each_chain_answers_a_call_over_real_sockets(string chain)
    {
        var file = Path.Combine(_dir, "hours.wav");
        WriteShortCall(file, "What are your opening hours?");
        File.WriteAllText(Path.Combine(_dir, "hours.txt"), "What are your opening hours?\n");

        var console = new StringWriter();
        var options = new ReplayRunOptions { OutDir = Path.Combine(_dir, "out"), Chain = VoiceBridge.Engines.ChainSpec.Parse(chain) };
        var exit = await new ReplayRunner(options, new TestLoggerFactory(output), console).RunAsync([file], CancellationToken.None);
        output.WriteLine(console.ToString());

        Assert.Equal(0, exit);
        using var report = JsonDocument.Parse(File.ReadAllText(options.EffectiveReportPath));
        var call = report.RootElement.GetProperty("calls")[0];
        var reply = call.GetProperty("turns").EnumerateArray().Single(t => t.GetProperty("role").GetString() == "assistant");
        Assert.Equal(options.Chain.Primary.Name, reply.GetProperty("engine").GetString());
        Assert.Contains("open", reply.GetProperty("text").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>0.5 s of silence, one spoken utterance, 2 s of silence, as a 16 kHz PCM WAV.</summary>
    /// <summary>Half a second of silence, the utterance, then <paramref name="trailingSeconds"/> of silence, at 16 kHz.</summary>
    internal static void WriteShortCall(string path, string utterance, int trailingSeconds = 2)
    {
        var speech = new EspeakSynthesizer().SynthesizeMuLaw(utterance);
        var pcm = new short[speech.Length];
        G711.MuLawDecode(speech, pcm);
        var call = new short[4000].Concat(pcm).Concat(new short[8000 * trailingSeconds]).ToArray();
        var upsampled = new short[call.Length * 2 + 64];
        var resampler = new Resampler(8000, 16000);
        var n = resampler.Process(call, upsampled);
        CallRecordingWriter.WriteMono(path, upsampled.AsSpan(0, n), 16000);
    }
}
