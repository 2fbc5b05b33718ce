using System.Buffers;
using System.Text.Json;

namespace VoiceBridge.Legs.Twilio;

/// <summary>
/// Writes the messages Twilio (the carrier) sends on a Media Streams WebSocket, in Twilio's documented
/// shapes and field order, for the replay harness that plays Twilio. Sequence numbers, chunks and
/// timestamps are written as strings, as Twilio does. One complete frame per call; media writes allocate nothing.
/// </summary>
public static class TwilioCarrierWriter
{
    /// <summary><c>{"event":"connected","protocol":"Call","version":"1.0.0"}</c></summary>
    public static void WriteConnected(IBufferWriter<byte> output)
    {
        Utf8JsonWriter writer = TwilioJson.Writer(output);
        writer.WriteStartObject();
        writer.WriteString("event"u8, "connected"u8);
        writer.WriteString("protocol"u8, "Call"u8);
        writer.WriteString("version"u8, "1.0.0"u8);
        End(writer);
    }

    /// <summary><c>start</c> with tracks <c>["inbound"]</c> and mediaFormat audio/x-mulaw, 8000 Hz, mono.</summary>
    public static void WriteStart(
        IBufferWriter<byte> output,
        long sequenceNumber,
        string streamSid,
        string accountSid,
        string callSid,
        IReadOnlyDictionary<string, string> customParameters)
    {
        ArgumentNullException.ThrowIfNull(customParameters);
        Utf8JsonWriter writer = Begin(output, "start"u8, sequenceNumber);
        writer.WriteStartObject("start"u8);
        writer.WriteString("accountSid"u8, accountSid);
        writer.WriteString("streamSid"u8, streamSid);
        writer.WriteString("callSid"u8, callSid);
        writer.WriteStartArray("tracks"u8);
        writer.WriteStringValue("inbound"u8);
        writer.WriteEndArray();
        writer.WriteStartObject("mediaFormat"u8);
        writer.WriteString("encoding"u8, TwilioMessageParser.ExpectedEncoding);
        writer.WriteNumber("sampleRate"u8, TwilioMessageParser.ExpectedSampleRate);
        writer.WriteNumber("channels"u8, TwilioMessageParser.ExpectedChannels);
        writer.WriteEndObject();
        writer.WriteStartObject("customParameters"u8);
        foreach ((string name, string value) in customParameters)
        {
            writer.WriteString(name, value);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        EndWithStreamSid(writer, streamSid);
    }

    /// <summary><c>media</c> on the inbound track; <paramref name="timestampMs"/> counts from the stream start.</summary>
    public static void WriteMedia(
        IBufferWriter<byte> output, long sequenceNumber, string streamSid, long chunk, long timestampMs, ReadOnlySpan<byte> mulaw)
    {
        Utf8JsonWriter writer = Begin(output, "media"u8, sequenceNumber);
        writer.WriteStartObject("media"u8);
        writer.WriteString("track"u8, "inbound"u8);
        TwilioJson.WriteInt64AsString(writer, "chunk"u8, chunk);
        TwilioJson.WriteInt64AsString(writer, "timestamp"u8, timestampMs);
        writer.WriteBase64String("payload"u8, mulaw);
        writer.WriteEndObject();
        EndWithStreamSid(writer, streamSid);
    }

    /// <summary>Echo of a mark the bridge sent, once the audio before it has played (or was cleared).</summary>
    public static void WriteMark(IBufferWriter<byte> output, long sequenceNumber, string streamSid, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        WriteMark(output, sequenceNumber, streamSid, TwilioJson.Utf8(name, stackalloc byte[TwilioJson.StackNameBytes]));
    }

    /// <summary>The same echo with the name already UTF-8, as the carrier received it: nothing allocated.</summary>
    public static void WriteMark(IBufferWriter<byte> output, long sequenceNumber, string streamSid, ReadOnlySpan<byte> utf8Name)
    {
        Utf8JsonWriter writer = Begin(output, "mark"u8, sequenceNumber);
        writer.WriteString("streamSid"u8, streamSid);
        writer.WriteStartObject("mark"u8);
        writer.WriteString("name"u8, utf8Name);
        writer.WriteEndObject();
        End(writer);
    }

    /// <summary><c>dtmf</c> on <c>inbound_track</c>; Twilio puts streamSid before sequenceNumber here.</summary>
    public static void WriteDtmf(IBufferWriter<byte> output, long sequenceNumber, string streamSid, string digit)
    {
        Utf8JsonWriter writer = TwilioJson.Writer(output);
        writer.WriteStartObject();
        writer.WriteString("event"u8, "dtmf"u8);
        writer.WriteString("streamSid"u8, streamSid);
        TwilioJson.WriteInt64AsString(writer, "sequenceNumber"u8, sequenceNumber);
        writer.WriteStartObject("dtmf"u8);
        writer.WriteString("track"u8, "inbound_track"u8);
        writer.WriteString("digit"u8, digit);
        writer.WriteEndObject();
        End(writer);
    }

    /// <summary><c>stop</c>: the call ended or the stream was stopped.</summary>
    public static void WriteStop(IBufferWriter<byte> output, long sequenceNumber, string streamSid, string accountSid, string callSid)
    {
        Utf8JsonWriter writer = Begin(output, "stop"u8, sequenceNumber);
        writer.WriteString("streamSid"u8, streamSid);
        writer.WriteStartObject("stop"u8);
        writer.WriteString("accountSid"u8, accountSid);
        writer.WriteString("callSid"u8, callSid);
        writer.WriteEndObject();
        End(writer);
    }

    private static Utf8JsonWriter Begin(IBufferWriter<byte> output, ReadOnlySpan<byte> eventName, long sequenceNumber)
    {
        Utf8JsonWriter writer = TwilioJson.Writer(output);
        writer.WriteStartObject();
        writer.WriteString("event"u8, eventName);
        TwilioJson.WriteInt64AsString(writer, "sequenceNumber"u8, sequenceNumber);
        return writer;
    }

    private static void EndWithStreamSid(Utf8JsonWriter writer, string streamSid)
    {
        writer.WriteString("streamSid"u8, streamSid);
        End(writer);
    }

    private static void End(Utf8JsonWriter writer)
    {
        writer.WriteEndObject();
        writer.Flush();
    }
}
