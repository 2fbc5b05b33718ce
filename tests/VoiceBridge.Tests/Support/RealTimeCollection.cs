namespace VoiceBridge.Tests.Support;

/// <summary>
/// Tests that run calls in real time over loopback sockets: they run one at a time and after the
/// parallel tests, so a loaded 2-core machine does not starve their 20 ms pacing.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealTimeCollection
{
    public const string Name = "real time";
}
