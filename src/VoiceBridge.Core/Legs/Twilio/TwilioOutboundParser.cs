using System.Text.Json;

namespace VoiceBridge.Legs.Twilio;

/// <summary>
/// Parses what the bridge sends to Twilio (<c>media</c>, <c>mark</c>, <c>clear</c>), for the replay
/// harness playing Twilio. Every event needs <c>streamSid</c>, as Twilio requires. Never throws on bad
/// input: it answers <see cref="TwilioParseStatus.Invalid"/> with an error naming the problem.
/// </summary>
public static class TwilioOutboundParser
{
    /// <summary>Parses one frame into <paramref name="into"/>, which is cleared first.</summary>
    public static TwilioParseStatus TryParse(ReadOnlySpan<byte> utf8Json, TwilioOutboundMessage into, out string? error)
    {
        ArgumentNullException.ThrowIfNull(into);
        into.Reset();
        return TwilioJson.ParseFrame(utf8Json, into, ReadEvent, ReadProperty, Validate, out error);
    }

    private static string? ReadProperty(ref Utf8JsonReader reader, TwilioOutboundMessage into)
    {
        string? error = null;
        if (reader.ValueTextEquals("streamSid"u8))
        {
            reader.Read();
            error = TwilioJson.ReadCachedString(ref reader, "streamSid", ref into.StreamSidCache);
            into.StreamSid = into.StreamSidCache;
        }
        else if (reader.ValueTextEquals("media"u8))
        {
            reader.Read();
            error = ReadMedia(ref reader, into);
        }
        else if (reader.ValueTextEquals("mark"u8))
        {
            reader.Read();
            error = TwilioJson.ReadObjectString(ref reader, "mark", "name"u8, "mark.name", out string? name);
            into.MarkName = name;
        }
        else
        {
            reader.Skip();
        }

        return error;
    }

    private static bool ReadEvent(ref Utf8JsonReader reader, TwilioOutboundMessage into)
    {
        into.Kind =
            reader.ValueTextEquals("media"u8) ? TwilioOutboundKind.Media
            : reader.ValueTextEquals("mark"u8) ? TwilioOutboundKind.Mark
            : reader.ValueTextEquals("clear"u8) ? TwilioOutboundKind.Clear
            : TwilioOutboundKind.Unknown;
        return into.Kind != TwilioOutboundKind.Unknown;
    }

    private static string? ReadMedia(ref Utf8JsonReader reader, TwilioOutboundMessage into)
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
            else
            {
                reader.Skip();
            }
        }

        return error;
    }

    private static string? Validate(TwilioOutboundMessage m) => m.Kind switch
    {
        _ when m.StreamSid is null => "streamSid is missing",
        TwilioOutboundKind.Media when m.PayloadLength == 0 => "media.payload is missing",
        TwilioOutboundKind.Mark when m.MarkName is null => "mark.name is missing",
        _ => null,
    };
}
