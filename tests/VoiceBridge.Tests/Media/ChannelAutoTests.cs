using NAudio.Wave;
using VoiceBridge.Media;
using VoiceBridge.Replay;

namespace VoiceBridge.Tests.Media;

/// <summary><see cref="ChannelSelection.Auto"/> on generated stereo files, and what the loader says it chose.</summary>
public sealed class ChannelAutoTests : IDisposable
{
    private const int Rate = 8000;
    private const double Peak = 0.5;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Identical_channels_are_mixed()
    {
        var tone = WavFiles.Sine(440, Rate, Rate, Peak);
        var path = Stereo("same.wav", tone, tone);

        var recording = WavLoader.Load(path);

        Assert.StartsWith("mix (auto: the two channels are identical)", recording.ChannelChoice, StringComparison.Ordinal);
        Assert.Equal(WavLoader.Load(path, ChannelSelection.Mix).Samples, recording.Samples);
    }

    [Fact]
    public void Channels_that_differ_by_a_little_noise_still_count_as_the_same()
    {
        var left = WavFiles.Sine(440, Rate, Rate, Peak);
        var random = new Random(5);
        var right = left.Select(x => x + ((random.NextDouble() - 0.5) * 0.01)).ToArray();

        Assert.StartsWith("mix (auto", WavLoader.Load(Stereo("near.wav", left, right)).ChannelChoice, StringComparison.Ordinal);
    }

    [Fact]
    public void Different_content_takes_the_left_channel_as_twilio_puts_the_caller_there()
    {
        var caller = WavFiles.Sine(440, Rate, Rate, Peak);
        var agent = WavFiles.Sine(1000, Rate, Rate, Peak);
        var path = Stereo("twilio.wav", caller, agent);

        var recording = WavLoader.Load(path);

        Assert.StartsWith("left (auto: the channels differ", recording.ChannelChoice, StringComparison.Ordinal);
        Assert.Contains("Twilio", recording.ChannelChoice, StringComparison.Ordinal);
        Assert.Equal(WavLoader.Load(path, ChannelSelection.Left).Samples, recording.Samples);
    }

    [Fact]
    public void A_silent_channel_is_passed_over_for_the_one_with_audio()
    {
        var tone = WavFiles.Sine(440, Rate, Rate, Peak);
        var silence = new double[Rate];

        var rightOnly = WavLoader.Load(Stereo("right-only.wav", silence, tone));
        var leftOnly = WavLoader.Load(Stereo("left-only.wav", tone, silence));

        Assert.Equal("right (auto: the left channel is silent)", rightOnly.ChannelChoice);
        Assert.Equal(WavLoader.Load(_dir.File("right-only.wav"), ChannelSelection.Right).Samples, rightOnly.Samples);
        Assert.Equal("left (auto: the right channel is silent)", leftOnly.ChannelChoice);
        Assert.Equal(WavLoader.Load(_dir.File("left-only.wav"), ChannelSelection.Left).Samples, leftOnly.Samples);
    }

    [Fact]
    public void Mono_is_taken_as_it_is_and_more_than_two_channels_are_mixed_without_the_silent_ones()
    {
        var tone = WavFiles.Sine(440, Rate, Rate, Peak);
        var mono = _dir.File("mono.wav");
        WavFiles.Write(mono, new WaveFormat(Rate, 16, 1), [tone], SampleKind.Pcm);
        var four = _dir.File("four.wav");
        WavFiles.Write(four, new WaveFormat(Rate, 16, 4), [tone, tone, tone, new double[Rate]], SampleKind.Pcm);

        Assert.Equal("mono", WavLoader.Load(mono).ChannelChoice);
        Assert.Equal("mix of channels 1, 2, 3 of 4 (auto: the others are silent)", WavLoader.Load(four).ChannelChoice);
        Assert.InRange(Signals.Rms(WavLoader.Load(four).Samples) / Signals.Rms(WavLoader.Load(mono).Samples), 0.99, 1.01);
        Assert.InRange(Signals.Rms(WavLoader.Load(four, ChannelSelection.Mix).Samples) / Signals.Rms(WavLoader.Load(mono).Samples), 0.74, 0.76);
    }

    [Fact]
    public void An_explicit_choice_is_kept_and_named()
    {
        var path = Stereo("pick.wav", WavFiles.Sine(440, Rate, Rate, Peak), WavFiles.Sine(1000, Rate, Rate, Peak));

        Assert.Equal("right (--channel right)", WavLoader.Load(path, ChannelSelection.Right).ChannelChoice);
        Assert.Equal("left (--channel left)", WavLoader.Load(path, ChannelSelection.Left).ChannelChoice);
        Assert.Equal("mix of 2 channels (--channel mix)", WavLoader.Load(path, ChannelSelection.Mix).ChannelChoice);
    }

    [Fact]
    public void A_corrupt_or_empty_mp3_is_an_error_naming_the_file()
    {
        var garbage = _dir.File("garbage.mp3");
        File.WriteAllBytes(garbage, [.. Enumerable.Range(0, 5000).Select(i => (byte)((i * 7919) % 251))]);
        var wavInside = _dir.File("really-a-wav.mp3");
        WavFiles.Write(wavInside, new WaveFormat(Rate, 16, 1), [WavFiles.Sine(440, Rate, Rate, Peak)], SampleKind.Pcm);
        var empty = _dir.File("empty.mp3");
        File.WriteAllBytes(empty, []);

        foreach (var path in new[] { garbage, wavInside, empty })
        {
            var error = Assert.Throws<AudioFormatException>(() => WavLoader.Load(path));
            Assert.Equal(path, error.PathName);
            Assert.Contains(Path.GetFileName(path), error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_8_khz_mp3_is_refused_with_the_way_to_convert_it()
    {
        // 0.5 s of 440 Hz made with sox at 8 kHz (MPEG-2.5 Layer III), which NLayer 3.0.1 misdecodes.
        var path = System.IO.Path.Combine(Support.RepoPaths.Root, "tests", "VoiceBridge.Tests", "Media", "tone-8k.mp3");

        var error = Assert.Throws<AudioFormatException>(() => WavLoader.Load(path));

        Assert.Contains("8000 Hz", error.Message, StringComparison.Ordinal);
        Assert.Contains("sox tone-8k.mp3 tone-8k.wav", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_mp3_saved_under_a_wav_name_is_decoded_as_the_mp3_it_is()
    {
        var mp3 = Support.RepoPaths.Fixture("hours-pcm16k.mp3");
        var misnamed = _dir.File("download.wav");
        File.Copy(mp3, misnamed);

        var recording = WavLoader.Load(misnamed);

        Assert.StartsWith("MP3", recording.SourceEncoding, StringComparison.Ordinal);
        Assert.Equal(WavLoader.Load(mp3).Samples, recording.Samples);
    }

    [Fact]
    public void A_folder_expands_to_its_wav_and_mp3_recordings()
    {
        foreach (var name in new[] { "b.mp3", "a.wav", "notes.txt", "c.ulaw" })
        {
            File.WriteAllBytes(_dir.File(name), [1]);
        }

        var files = ReplayInputs.Expand([_dir.Path], rawMuLaw: false).Select(Path.GetFileName);

        Assert.Equal(["a.wav", "b.mp3"], files);
    }

    [Fact]
    public void A_recording_named_twice_or_also_through_its_folder_is_replayed_once()
    {
        var wav = _dir.File("a.wav");
        File.WriteAllBytes(wav, [1]);
        var sameFile = Path.Combine(_dir.Path, ".", "a.wav");

        var files = ReplayInputs.Expand([wav, _dir.Path, sameFile], rawMuLaw: false);

        Assert.Equal([wav], files);
    }

    [Fact]
    public void Of_more_channels_auto_takes_the_mean_of_those_with_sound_so_a_caller_on_one_keeps_its_level()
    {
        var tone = WavFiles.Sine(440, Rate, Rate, Peak);
        var silence = new double[Rate];
        var path = _dir.File("six.wav");
        WavFiles.Write(path, new WaveFormat(Rate, 16, 6), [silence, silence, tone, silence, silence, silence], SampleKind.Pcm);
        var mono = _dir.File("mono.wav");
        WavFiles.Write(mono, new WaveFormat(Rate, 16, 1), [tone], SampleKind.Pcm);

        var recording = WavLoader.Load(path);

        Assert.Equal("mix of channel 3 of 6 (auto: the others are silent)", recording.ChannelChoice);
        var level = Signals.Rms(recording.Samples) / Signals.Rms(WavLoader.Load(mono).Samples);
        Assert.InRange(level, 0.99, 1.01);
        Assert.Equal("mix of 6 channels (--channel mix)", WavLoader.Load(path, ChannelSelection.Mix).ChannelChoice);
    }

    [Fact]
    public void Of_more_channels_all_with_sound_auto_mixes_them_all()
    {
        var tone = WavFiles.Sine(440, Rate, Rate, Peak);
        var path = _dir.File("four.wav");
        WavFiles.Write(path, new WaveFormat(Rate, 16, 4), [tone, tone, tone, tone], SampleKind.Pcm);

        var recording = WavLoader.Load(path);

        Assert.Equal("mix (auto: 4 channels)", recording.ChannelChoice);
        Assert.Equal(WavLoader.Load(path, ChannelSelection.Mix).Samples, recording.Samples);
    }

    private string Stereo(string name, double[] left, double[] right)
    {
        var path = _dir.File(name);
        WavFiles.Write(path, new WaveFormat(Rate, 16, 2), [left, right], SampleKind.Pcm);
        return path;
    }
}
