using System.Text.Json;

namespace VoiceBridge.Legs.Twilio;

/// <summary>Reads and checks the <c>start</c> object for <see cref="TwilioMessageParser"/>.</summary>
internal static class TwilioStartReader
{
    /// <summary>Reads <c>start</c>: sids, tracks, mediaFormat and customParameters; other fields are skipped.</summary>
    public static string? Read(ref Utf8JsonReader reader, TwilioInboundMessage into)
    {
        string? error = TwilioJson.ExpectObject(ref reader, "start");
        while (error is null && TwilioJson.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("streamSid"u8))
            {
                reader.Read();
                error = TwilioMessageParser.ReadStreamSid(ref reader, into, "start.streamSid");
            }
            else if (reader.ValueTextEquals("callSid"u8))
            {
                reader.Read();
                error = TwilioJson.ReadString(ref reader, "start.callSid", out string? callSid);
                into.CallSid = callSid;
            }
            else if (reader.ValueTextEquals("accountSid"u8))
            {
                reader.Read();
                error = TwilioJson.ReadString(ref reader, "start.accountSid", out string? accountSid);
                into.AccountSid = accountSid;
            }
            else if (reader.ValueTextEquals("tracks"u8))
            {
                reader.Read();
                error = ReadTracks(ref reader, into);
            }
            else if (reader.ValueTextEquals("mediaFormat"u8))
            {
                reader.Read();
                error = ReadMediaFormat(ref reader, into);
            }
            else if (reader.ValueTextEquals("customParameters"u8))
            {
                reader.Read();
                error = ReadCustomParameters(ref reader, into);
            }
            else
            {
                reader.Skip();
            }
        }

        return error;
    }

    private static string? ReadTracks(ref Utf8JsonReader reader, TwilioInboundMessage into)
    {
        string? error = TwilioJson.ExpectArray(ref reader, "start.tracks");
        var tracks = new List<string>(2);
        while (error is null && reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            error = TwilioJson.ReadString(ref reader, "start.tracks[]", out string? track);
            tracks.Add(track!);
        }

        into.Tracks = [.. tracks];
        return error;
    }

    private static string? ReadMediaFormat(ref Utf8JsonReader reader, TwilioInboundMessage into)
    {
        string? error = TwilioJson.ExpectObject(ref reader, "start.mediaFormat");
        while (error is null && TwilioJson.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("encoding"u8))
            {
                reader.Read();
                error = TwilioJson.ReadString(ref reader, "start.mediaFormat.encoding", out string? encoding);
                into.MediaEncoding = encoding;
            }
            else if (reader.ValueTextEquals("sampleRate"u8))
            {
                reader.Read();
                error = TwilioJson.ReadInt32(ref reader, "start.mediaFormat.sampleRate", out int? rate);
                into.MediaSampleRate = rate;
            }
            else if (reader.ValueTextEquals("channels"u8))
            {
                reader.Read();
                error = TwilioJson.ReadInt32(ref reader, "start.mediaFormat.channels", out int? channels);
                into.MediaChannels = channels;
            }
            else
            {
                reader.Skip();
            }
        }

        return error;
    }

    private static string? ReadCustomParameters(ref Utf8JsonReader reader, TwilioInboundMessage into)
    {
        string? error = TwilioJson.ExpectObject(ref reader, "start.customParameters");
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        while (error is null && TwilioJson.NextProperty(ref reader))
        {
            string name = reader.GetString()!;
            reader.Read();
            error = TwilioJson.ReadString(ref reader, $"start.customParameters.{name}", out string? value);
            parameters[name] = value!;
        }

        into.CustomParameters = parameters;
        return error;
    }

    /// <summary>Requires the sids and a mu-law, 8 kHz, mono media format.</summary>
    public static string? Validate(TwilioInboundMessage m) =>
        m.StreamSid is null ? "start is missing streamSid"
        : m.CallSid is null ? "start.callSid is missing"
        : m.MediaEncoding is null ? "start.mediaFormat.encoding is missing"
        : m.MediaEncoding != TwilioMessageParser.ExpectedEncoding ? $"start.mediaFormat.encoding is {TwilioJson.Clip(m.MediaEncoding)}, expected {TwilioMessageParser.ExpectedEncoding}"
        : m.MediaSampleRate is not { } rate ? "start.mediaFormat.sampleRate is missing"
        : rate != TwilioMessageParser.ExpectedSampleRate ? $"start.mediaFormat.sampleRate is {rate}, expected {TwilioMessageParser.ExpectedSampleRate}"
        : m.MediaChannels is not { } channels ? "start.mediaFormat.channels is missing"
        : channels != TwilioMessageParser.ExpectedChannels ? $"start.mediaFormat.channels is {channels}, expected {TwilioMessageParser.ExpectedChannels}"
        : null;
}
