using System.Buffers;
using BenchmarkDotNet.Attributes;
using VoiceBridge.Legs.Twilio;

namespace VoiceBridge.Benchmarks;

/// <summary>The Media Streams codec on one 20 ms frame: Twilio's media message in, ours out.</summary>
[MemoryDiagnoser]
public class TwilioBenchmarks
{
    private const string StreamSid = "MZ18ad3ab5a668481ce02b83e7395059f0";
    private readonly byte[] _mulaw = Frames.MuLaw();
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private readonly TwilioInboundMessage _inbound = new();
    private byte[] _inboundJson = [];

    [GlobalSetup]
    public void Setup()
    {
        var json = new ArrayBufferWriter<byte>();
        TwilioCarrierWriter.WriteMedia(json, 42, StreamSid, 41, 820, _mulaw);
        _inboundJson = json.WrittenSpan.ToArray();
    }

    /// <summary>A caller frame as Twilio sends it, parsed and base64-decoded.</summary>
    [Benchmark]
    public TwilioParseStatus ParseMedia() => TwilioMessageParser.TryParse(_inboundJson, _inbound, out _);

    /// <summary>An agent frame as the bridge sends it to Twilio.</summary>
    [Benchmark]
    public int BuildMedia()
    {
        _output.ResetWrittenCount();
        TwilioMessageWriter.WriteMedia(_output, StreamSid, _mulaw);
        return _output.WrittenCount;
    }
}
