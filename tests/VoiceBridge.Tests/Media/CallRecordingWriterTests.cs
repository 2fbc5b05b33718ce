using VoiceBridge.Media;

namespace VoiceBridge.Tests.Media;

public sealed class CallRecordingWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void StereoRecordingLoadsBackChannelByChannel()
    {
        string path = _dir.File("call.wav");
        var caller = Signals.Tone(440, 8000, 9000, 12000);
        var agent = Signals.Tone(700, 8000, 6000, 9000);

        CallRecordingWriter.WriteStereo(path, caller, agent);

        var left = WavLoader.Load(path, ChannelSelection.Left);
        var right = WavLoader.Load(path, ChannelSelection.Right);
        Assert.Equal(2, left.SourceChannels);
        Assert.Equal(caller, left.Samples);
        Assert.Equal(agent, right.Samples[..agent.Length]);
        Assert.All(right.Samples[agent.Length..], s => Assert.Equal(0, s));
    }

    [Fact]
    public void MonoRecordingKeepsItsRate()
    {
        string path = _dir.File("agent.wav");
        var samples = Signals.Tone(440, 24000, 24000, 12000);

        CallRecordingWriter.WriteMono(path, samples, 24000);

        var recording = WavLoader.Load(path);
        Assert.Equal(24000, recording.SourceRate);
        Assert.Equal(TimeSpan.FromSeconds(1), recording.Duration);
    }
}
