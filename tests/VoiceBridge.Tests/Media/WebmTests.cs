using VoiceBridge.Media;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Media;

/// <summary>
/// WebM Opus recordings, held to libopus's decoding (through ffmpeg) of ffmpeg-written fixtures
/// (<c>Media/Webm</c>) by exact length and a signal-to-difference ratio, as the Ogg Opus ones are.
/// </summary>
public sealed class WebmTests : IDisposable
{
    private const double MinRatioDb = 20;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_webm_file_decodes_as_libopus_decodes_it()
    {
        var webm = WavLoader.Load(Fixture("speech.webm"));
        var reference = WavLoader.Load(Fixture("speech.libopus-8k.wav")).Samples;

        Assert.Equal(("WebM Opus (encoded from 24000 Hz)", 48000, 1), (webm.SourceEncoding, webm.SourceRate, webm.SourceChannels));
        Assert.Equal(reference.Length, webm.Samples.Length);
        var ratioDb = OggPages.SignalToDifferenceDb(reference, webm.Samples);
        Assert.True(ratioDb >= MinRatioDb, $"decoded audio differs from libopus's: {ratioDb:0.0} dB signal to difference, at least {MinRatioDb} wanted");
        Assert.True(Signals.Rms(webm.Samples) > 300, "the fixture is speech, not silence");
    }

    [Fact]
    public void A_live_recording_of_unknown_sized_segment_and_clusters_decodes_the_same()
    {
        Assert.Equal(WavLoader.Load(Fixture("speech.webm")).Samples, WavLoader.Load(Fixture("speech-live.webm")).Samples);
    }

    [Fact]
    public void Blocks_missing_while_the_caller_was_silent_dtx_leave_silence_as_long_as_their_times_say()
    {
        // speech.webm with the packets from 1.5 s to 2.5 s dropped and the others' times kept (README).
        OggPages.AssertGapKeptAsSilence(WavLoader.Load(Fixture("speech.webm")).Samples, WavLoader.Load(Fixture("speech-dtx.webm")).Samples, 1.5, 2.5);
    }

    [Theory]
    [InlineData("A_FLAC", "unsupported WebM audio: codec A_FLAC; only Opus is decoded (convert it first, e.g. ffmpeg -i other.webm -ac 1 other-converted.wav)")]
    [InlineData("V_VP80", "no audio: the WebM file has no audio track")]
    public void A_webm_file_without_an_opus_track_is_refused_naming_what_it_holds(string codec, string words)
    {
        var bytes = File.ReadAllBytes(Fixture("speech.webm"));
        var at = bytes.AsSpan().IndexOf("A_OPUS"u8);
        System.Text.Encoding.ASCII.GetBytes(codec).CopyTo(bytes, at);

        RecordingAssert.Refused(_dir.Write("other.webm", bytes), words);
    }

    [Fact]
    public void A_webm_file_cut_inside_a_block_is_truncation_named_by_its_offset()
    {
        var bytes = File.ReadAllBytes(Fixture("speech-live.webm"));

        var error = RecordingAssert.Refused(_dir.Write("cut.webm", bytes[..^40]), "truncated: the WebM element 0xA3 at byte");
        Assert.Contains("declares", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_laced_block_is_refused_by_name()
    {
        var bytes = File.ReadAllBytes(Fixture("speech-live.webm"));
        var cluster = bytes.AsSpan().IndexOf((ReadOnlySpan<byte>)[0x1F, 0x43, 0xB6, 0x75]);
        var block = cluster + bytes.AsSpan(cluster).IndexOf((byte)0xA3);
        var sizeLength = System.Numerics.BitOperations.LeadingZeroCount((uint)bytes[block + 1]) - 23;
        var flags = block + 1 + sizeLength + 1 + 2;
        bytes[flags] |= 0x02;

        RecordingAssert.Refused(_dir.Write("laced.webm", bytes), $"unsupported WebM block at byte {block}: laced frames");
    }

    [Fact]
    public void A_folder_expands_to_its_webm_recordings_too()
    {
        foreach (var name in new[] { "a.webm", "b.wav", "notes.txt" })
        {
            File.WriteAllBytes(_dir.File(name), [1]);
        }

        Assert.Equal(["a.webm", "b.wav"], VoiceBridge.Replay.ReplayInputs.Expand([_dir.Path], rawMuLaw: false).Select(Path.GetFileName));
    }

    private static string Fixture(string name) => Path.Combine(RepoPaths.Root, "tests", "VoiceBridge.Tests", "Media", "Webm", name);
}
