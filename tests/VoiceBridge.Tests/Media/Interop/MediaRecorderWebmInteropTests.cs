using Microsoft.Playwright;
using VoiceBridge.Media;
using VoiceBridge.Tests.Support;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Media.Interop;

/// <summary>
/// A recording made by a real browser: Debian's headless Chromium (through Playwright, never a
/// downloaded browser) records a 440 Hz tone from Web Audio with MediaRecorder
/// (<c>audio/webm;codecs=opus</c>, a chunk every 250 ms, so several live clusters of unknown size), and
/// the loader must read it back as that tone: WebM Opus, about as long as it was recorded, its energy
/// at 440 Hz and not elsewhere.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimeCollection.Name)]
public sealed class MediaRecorderWebmInteropTests(ITestOutputHelper output) : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private const float WaitMs = 30_000;

    private const string Record = """
        async () => {
          const ctx = new AudioContext({ sampleRate: 48000 });
          await ctx.resume();
          const osc = ctx.createOscillator();
          osc.frequency.value = 440;
          const gain = ctx.createGain();
          gain.gain.value = 0.3;
          const dest = ctx.createMediaStreamDestination();
          osc.connect(gain).connect(dest);
          osc.start();
          const recorder = new MediaRecorder(dest.stream, { mimeType: 'audio/webm;codecs=opus' });
          const chunks = [];
          recorder.ondataavailable = e => chunks.push(e.data);
          const stopped = new Promise(resolve => recorder.onstop = resolve);
          recorder.start(250);
          await new Promise(resolve => setTimeout(resolve, 2000));
          recorder.stop();
          await stopped;
          const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
          let text = '';
          for (const b of bytes) text += String.fromCharCode(b);
          return btoa(text);
        }
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_tone_chromium_records_with_media_recorder_reads_back_as_that_tone()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Timeout = WaitMs,
            Args = ["--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required"],
        });
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(WaitMs);
        var bytes = Convert.FromBase64String(await page.EvaluateAsync<string>(Record));
        var path = _dir.Write("chromium.webm", bytes);
        output.WriteLine($"MediaRecorder wrote {bytes.Length} bytes");

        var recording = WavLoader.Load(path);

        output.WriteLine($"{recording.SourceEncoding}: {recording.Samples.Length} samples at 8 kHz");
        Assert.StartsWith("WebM Opus", recording.SourceEncoding, StringComparison.Ordinal);
        Assert.InRange(recording.Samples.Length, 8000 * 1.5, 8000 * 2.5);
        var body = recording.Samples[(recording.Samples.Length / 4)..(recording.Samples.Length * 3 / 4)];
        var tone = Signals.TonePower(body, 440);
        output.WriteLine($"power at 440 Hz {tone:0}, at 1000 Hz {Signals.TonePower(body, 1000):0}, at 250 Hz {Signals.TonePower(body, 250):0}");
        Assert.True(tone > 100 * Signals.TonePower(body, 1000), "the recording is not the 440 Hz tone recorded");
        Assert.True(tone > 100 * Signals.TonePower(body, 250), "the recording is not the 440 Hz tone recorded");
    }
}
