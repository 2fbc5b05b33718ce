using System.Buffers;
using System.Text.Json;

namespace VoiceBridge.Legs.Twilio;

/// <summary>
/// Writes the messages the bridge sends to Twilio as UTF-8 JSON text frames. Each call writes one
/// complete frame to <c>output</c> with a per-thread reusable <see cref="Utf8JsonWriter"/>; audio is
/// base64-encoded straight into the output, so steady-state writes allocate nothing.
/// </summary>
public static class TwilioMessageWriter
{
    /// <summary><c>{"event":"media","streamSid":..,"media":{"payload":"&lt;base64 mu-law&gt;"}}</c></summary>
    public static void WriteMedia(IBufferWriter<byte> output, string streamSid, ReadOnlySpan<byte> mulaw)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamSid);
        if (mulaw.IsEmpty)
        {
            throw new ArgumentException("A media message needs at least one byte of audio.", nameof(mulaw));
        }

        Utf8JsonWriter writer = Begin(output, "media"u8, streamSid);
        writer.WriteStartObject("media"u8);
        writer.WriteBase64String("payload"u8, mulaw);
        writer.WriteEndObject();
        End(writer);
    }

    /// <summary><c>{"event":"mark","streamSid":..,"mark":{"name":..}}</c>: Twilio echoes it once the audio before it has played.</summary>
    public static void WriteMark(IBufferWriter<byte> output, string streamSid, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        WriteMark(output, streamSid, TwilioJson.Utf8(name, stackalloc byte[TwilioJson.StackNameBytes]));
    }

    /// <summary>The same, with the name already UTF-8 (a <c>PlayoutMark</c>'s, formatted on the stack): nothing allocated.</summary>
    public static void WriteMark(IBufferWriter<byte> output, string streamSid, ReadOnlySpan<byte> utf8Name)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamSid);
        Utf8JsonWriter writer = Begin(output, "mark"u8, streamSid);
        writer.WriteStartObject("mark"u8);
        writer.WriteString("name"u8, utf8Name);
        writer.WriteEndObject();
        End(writer);
    }

    /// <summary><c>{"event":"clear","streamSid":..}</c>: drops buffered audio; pending marks are echoed.</summary>
    public static void WriteClear(IBufferWriter<byte> output, string streamSid)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamSid);
        End(Begin(output, "clear"u8, streamSid));
    }

    private static Utf8JsonWriter Begin(IBufferWriter<byte> output, ReadOnlySpan<byte> eventName, string streamSid)
    {
        Utf8JsonWriter writer = TwilioJson.Writer(output);
        writer.WriteStartObject();
        writer.WriteString("event"u8, eventName);
        writer.WriteString("streamSid"u8, streamSid);
        return writer;
    }

    private static void End(Utf8JsonWriter writer)
    {
        writer.WriteEndObject();
        writer.Flush();
    }
}
