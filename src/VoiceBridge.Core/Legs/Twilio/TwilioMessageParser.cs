using System.Text.Json;

namespace VoiceBridge.Legs.Twilio;

/// <summary>
/// Parses the JSON text frames Twilio sends on a bidirectional Media Streams WebSocket. Strict about
/// what the bridge needs, lenient about anything else (unknown fields, objects and arrays are skipped).
/// Never throws on bad input: it answers <see cref="TwilioParseStatus.Invalid"/> with an error naming the problem.
/// </summary>
public static class TwilioMessageParser
{
    public const string ExpectedEncoding = "audio/x-mulaw";
    public const int ExpectedSampleRate = 8000;
    public const int ExpectedChannels = 1;

    /// <summary>Parses one frame into <paramref name="into"/>, which is cleared first.</summary>
    public static TwilioParseStatus TryParse(ReadOnlySpan<byte> utf8Json, TwilioInboundMessage into, out string? error)
    {
        ArgumentNullException.ThrowIfNull(into);
        into.Reset();
        return TwilioJson.ParseFrame(utf8Json, into, ReadEvent, ReadProperty, Validate, out error);
    }

    private static string? ReadProperty(ref Utf8JsonReader reader, TwilioInboundMessage into)
    {
        string? error = null;
        if (reader.ValueTextEquals("sequenceNumber"u8))
        {
            reader.Read();
            error = TwilioJson.ReadInt64(ref reader, "sequenceNumber", out long sequence);
            into.SequenceNumber = sequence;
        }
        else if (reader.ValueTextEquals("streamSid"u8))
        {
            reader.Read();
            error = ReadStreamSid(ref reader, into, "streamSid");
        }
        else if (reader.ValueTextEquals("start"u8))
        {
            reader.Read();
            error = TwilioStartReader.Read(ref reader, into);
        }
        else if (reader.ValueTextEquals("media"u8))
        {
            reader.Read();
            error = ReadMedia(ref reader, into);
        }
        else if (reader.ValueTextEquals("mark"u8))
        {
            reader.Read();
            error = ReadMark(ref reader, into);
        }
        else if (reader.ValueTextEquals("dtmf"u8))
        {
            reader.Read();
            error = ReadDtmf(ref reader, into);
        }
        else if (reader.ValueTextEquals("stop"u8))
        {
            reader.Read();
            error = ReadStop(ref reader, into);
        }
        else
        {
            reader.Skip();
        }

        return error;
    }

    private static bool ReadEvent(ref Utf8JsonReader reader, TwilioInboundMessage into)
    {
        into.Kind =
            reader.ValueTextEquals("media"u8) ? TwilioEventKind.Media
            : reader.ValueTextEquals("mark"u8) ? TwilioEventKind.Mark
            : reader.ValueTextEquals("start"u8) ? TwilioEventKind.Start
            : reader.ValueTextEquals("connected"u8) ? TwilioEventKind.Connected
            : reader.ValueTextEquals("dtmf"u8) ? TwilioEventKind.Dtmf
            : reader.ValueTextEquals("stop"u8) ? TwilioEventKind.Stop
            : TwilioEventKind.Unknown;
        return into.Kind != TwilioEventKind.Unknown;
    }

    internal static string? ReadStreamSid(ref Utf8JsonReader reader, TwilioInboundMessage into, string field)
    {
        string? error = TwilioJson.ReadCachedString(ref reader, field, ref into.StreamSidCache);
        into.StreamSid = into.StreamSidCache;
        return error;
    }

    private static string? ReadMedia(ref Utf8JsonReader reader, TwilioInboundMessage into)
    {
        string? error = TwilioJson.ExpectObject(ref reader, "media");
        while (error is null && TwilioJson.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("payload"u8))
            {
                reader.Read();
                error = TwilioJson.ReadBase64(ref reader, "media.payload", into.Payload, out int length);
                into.PayloadLength = length;
            }
            else if (reader.ValueTextEquals("timestamp"u8))
            {
                reader.Read();
                error = TwilioJson.ReadInt64(ref reader, "media.timestamp", out long timestamp);
                into.TimestampMs = timestamp;
            }
            else if (reader.ValueTextEquals("chunk"u8))
            {
                reader.Read();
                error = TwilioJson.ReadInt64(ref reader, "media.chunk", out long chunk);
                into.Chunk = chunk;
            }
            else if (reader.ValueTextEquals("track"u8))
            {
                reader.Read();
                error = TwilioJson.ReadCachedString(ref reader, "media.track", ref into.TrackCache);
                into.Track = into.TrackCache;
            }
            else
            {
                reader.Skip();
            }
        }

        return error;
    }

    private static string? ReadMark(ref Utf8JsonReader reader, TwilioInboundMessage into)
    {
        string? error = TwilioJson.ReadObjectUtf8(ref reader, "mark", "name"u8, "mark.name", into.MarkNameBuffer, out int length);
        into.MarkNameLength = length;
        return error;
    }

    private static string? ReadDtmf(ref Utf8JsonReader reader, TwilioInboundMessage into)
    {
        string? error = TwilioJson.ExpectObject(ref reader, "dtmf");
        while (error is null && TwilioJson.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("digit"u8))
            {
                reader.Read();
                error = TwilioJson.ReadString(ref reader, "dtmf.digit", out string? digit);
                into.Digit = digit;
            }
            else if (reader.ValueTextEquals("track"u8))
            {
                reader.Read();
                error = TwilioJson.ReadCachedString(ref reader, "dtmf.track", ref into.TrackCache);
                into.Track = into.TrackCache;
            }
            else
            {
                reader.Skip();
            }
        }

        return error;
    }

    private static string? ReadStop(ref Utf8JsonReader reader, TwilioInboundMessage into)
    {
        string? error = TwilioJson.ExpectObject(ref reader, "stop");
        while (error is null && TwilioJson.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("callSid"u8))
            {
                reader.Read();
                error = TwilioJson.ReadString(ref reader, "stop.callSid", out string? callSid);
                into.CallSid = callSid;
            }
            else if (reader.ValueTextEquals("accountSid"u8))
            {
                reader.Read();
                error = TwilioJson.ReadString(ref reader, "stop.accountSid", out string? accountSid);
                into.AccountSid = accountSid;
            }
            else
            {
                reader.Skip();
            }
        }

        return error;
    }

    private static string? Validate(TwilioInboundMessage m) => m.Kind switch
    {
        TwilioEventKind.Start => TwilioStartReader.Validate(m),
        TwilioEventKind.Media when m.PayloadLength == 0 => "media.payload is missing",
        TwilioEventKind.Mark when m.MarkNameLength < 0 => "mark.name is missing",
        TwilioEventKind.Dtmf when m.Digit is null => "dtmf.digit is missing",
        _ => null,
    };
}
