using System.Buffers;
using BenchmarkDotNet.Attributes;
using VoiceBridge.Engines.Realtime.Protocol;

namespace VoiceBridge.Benchmarks;

/// <summary>
/// The Realtime wire codec on one 20 ms frame: the bridge builds <c>input_audio_buffer.append</c> and
/// parses <c>response.output_audio.delta</c>; the simulator does the reverse.
/// </summary>
[MemoryDiagnoser]
public class RealtimeBenchmarks
{
    private readonly byte[] _mulaw = Frames.MuLaw();
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private readonly RealtimeServerEvent _serverEvent = new();
    private readonly RealtimeClientEvent _clientEvent = new();
    private byte[] _appendJson = [];
    private byte[] _deltaJson = [];

    [GlobalSetup]
    public void Setup()
    {
        var json = new ArrayBufferWriter<byte>();
        RealtimeClientWriter.WriteInputAudioAppend(json, _mulaw);
        _appendJson = json.WrittenSpan.ToArray();
        json.ResetWrittenCount();
        RealtimeServerWriter.WriteOutputAudioDelta(json, "event_B4o9RHSTWobB5OQdEHLTo", "resp_B4o9RHSTWobB5OQdEHLTo", "item_B4o9RHSTWobB5OQdEHLTo", 0, 0, _mulaw);
        _deltaJson = json.WrittenSpan.ToArray();
    }

    [Benchmark]
    public int BuildAppend()
    {
        _output.ResetWrittenCount();
        RealtimeClientWriter.WriteInputAudioAppend(_output, _mulaw);
        return _output.WrittenCount;
    }

    [Benchmark]
    public bool ParseDelta() => RealtimeServerParser.TryParse(_deltaJson, _serverEvent, out _);

    [Benchmark]
    public bool ParseAppend() => RealtimeClientParser.TryParse(_appendJson, _clientEvent, out _);

    [Benchmark]
    public int BuildDelta()
    {
        _output.ResetWrittenCount();
        RealtimeServerWriter.WriteOutputAudioDelta(_output, "event_B4o9RHSTWobB5OQdEHLTo", "resp_B4o9RHSTWobB5OQdEHLTo", "item_B4o9RHSTWobB5OQdEHLTo", 0, 0, _mulaw);
        return _output.WrittenCount;
    }
}
