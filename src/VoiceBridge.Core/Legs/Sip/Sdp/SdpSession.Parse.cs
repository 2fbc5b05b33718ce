using System.Globalization;

namespace VoiceBridge.Legs.Sip.Sdp;

/// <summary>Parsing: bounded in size and count, never throws, names the offending line on error.</summary>
public sealed partial class SdpSession
{
    /// <summary>Longest description accepted, in characters; a SIP-over-UDP body is far smaller.</summary>
    public const int MaxLength = 32 * 1024;

    /// <summary>Most lines accepted.</summary>
    public const int MaxLines = 1024;

    /// <summary>Most media descriptions accepted.</summary>
    public const int MaxMedia = 16;

    /// <summary>Most formats accepted on one <c>m=</c> line.</summary>
    public const int MaxFormats = 64;

    private const int MaxPort = 65535;

    /// <summary>
    /// Parses <paramref name="text"/> (CRLF or bare LF line ends). On failure <paramref name="sdp"/> is
    /// null and <paramref name="error"/> names the line and what is wrong with it.
    /// </summary>
    public static bool TryParse(string text, out SdpSession? sdp, out string? error)
    {
        sdp = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "empty session description";
            return false;
        }

        if (text.Length > MaxLength)
        {
            error = $"session description is {text.Length} characters, more than {MaxLength}";
            return false;
        }

        string[] lines = text.Split('\n', MaxLines + 1);
        if (lines.Length > MaxLines)
        {
            error = $"session description has more than {MaxLines} lines";
            return false;
        }

        error = Parse(lines, out sdp);
        if (error is not null)
        {
            sdp = null;
        }

        return error is null;
    }

    private static string? Parse(string[] lines, out SdpSession? sdp)
    {
        sdp = null;
        bool sawVersion = false;
        SdpMedia? media = null;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            if (line.Length < 2 || line[1] != '=' || line[0] is < 'a' or > 'z')
            {
                return $"line {i + 1} is not <type>=<value>: {Quote(line)}";
            }

            char type = line[0];
            string value = line[2..];
            string? error = null;
            if (!sawVersion)
            {
                sawVersion = true;
                if (line != "v=0")
                {
                    return $"line {i + 1} must be v=0, got {Quote(line)}";
                }
            }
            else if (sdp is null)
            {
                if (type != 'o')
                {
                    return $"line {i + 1} must be the o= line, got {Quote(line)}";
                }

                error = ParseOrigin(value, out SdpOrigin? origin);
                sdp = origin is null ? null : new SdpSession(origin);
            }
            else if (type == 'm')
            {
                if (sdp.Media.Count == MaxMedia)
                {
                    return $"more than {MaxMedia} m= lines";
                }

                error = ParseMediaLine(value, out media);
                if (media is not null)
                {
                    sdp.Media.Add(media);
                }
            }
            else
            {
                error = media is null ? ParseSessionLine(sdp, type, value) : ParseMediaLevelLine(media, type, value);
            }

            if (error is not null)
            {
                return $"line {i + 1} {Quote(line)}: {error}";
            }
        }

        return sdp is null ? (sawVersion ? "missing o= line" : "missing v= line") : null;
    }

    private static string? ParseSessionLine(SdpSession sdp, char type, string value)
    {
        switch (type)
        {
            case 's':
                sdp.SessionName = value;
                return null;
            case 'c':
                string? error = ParseConnection(value, out SdpConnection? connection);
                sdp.Connection = connection;
                return error;
            case 'b':
                sdp.Bandwidths.Add(value);
                return null;
            case 't':
                sdp.Timing = value;
                return null;
            case 'a':
                return ParseSessionAttribute(sdp, value);
            default:
                return null;
        }
    }

    private static string? ParseSessionAttribute(SdpSession sdp, string value)
    {
        (string name, string? attributeValue) = SplitAttribute(value);
        if (SdpDirections.TryParse(name, out SdpDirection direction))
        {
            sdp.Direction = direction;
        }
        else
        {
            sdp.Attributes.Add(new SdpAttribute(name, attributeValue));
        }

        return null;
    }

    private static string? ParseMediaLevelLine(SdpMedia media, char type, string value)
    {
        switch (type)
        {
            case 'c':
                string? error = ParseConnection(value, out SdpConnection? connection);
                media.Connection = connection;
                return error;
            case 'b':
                media.Bandwidths.Add(value);
                return null;
            case 'a':
                return ParseMediaAttribute(media, value);
            default:
                return null;
        }
    }

    private static string? ParseMediaAttribute(SdpMedia media, string value)
    {
        (string name, string? attributeValue) = SplitAttribute(value);
        switch (name)
        {
            case "rtpmap":
                string? error = ParseRtpMap(attributeValue, out SdpRtpMap? map);
                if (map is not null)
                {
                    media.RtpMaps.Add(map);
                }

                return error;
            case "fmtp":
                int space = attributeValue?.IndexOf(' ', StringComparison.Ordinal) ?? -1;
                if (attributeValue is null || space <= 0)
                {
                    return "fmtp needs <format> <parameters>";
                }

                media.Fmtps.Add(new SdpFmtp(attributeValue[..space], attributeValue[(space + 1)..].Trim()));
                return null;
            case "ptime":
                media.Ptime = ParseMilliseconds(attributeValue);
                return media.Ptime is null ? "ptime is not a positive number of milliseconds" : null;
            case "maxptime":
                media.MaxPtime = ParseMilliseconds(attributeValue);
                return media.MaxPtime is null ? "maxptime is not a positive number of milliseconds" : null;
            default:
                if (SdpDirections.TryParse(name, out SdpDirection direction))
                {
                    media.Direction = direction;
                }
                else
                {
                    media.Attributes.Add(new SdpAttribute(name, attributeValue));
                }

                return null;
        }
    }

    private static string? ParseOrigin(string value, out SdpOrigin? origin)
    {
        origin = null;
        string[] parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 6)
        {
            return "o= needs <username> <sess-id> <sess-version> <nettype> <addrtype> <address>";
        }

        if (!ulong.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out ulong version))
        {
            return "o= session version is not a number";
        }

        origin = new SdpOrigin(parts[0], parts[1], version, parts[3], parts[4], parts[5]);
        return null;
    }

    private static string? ParseConnection(string value, out SdpConnection? connection)
    {
        connection = null;
        string[] parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3)
        {
            return "c= needs <nettype> <addrtype> <address>";
        }

        int slash = parts[2].IndexOf('/', StringComparison.Ordinal);
        connection = new SdpConnection(parts[0], parts[1], slash < 0 ? parts[2] : parts[2][..slash]);
        return null;
    }

    private static string? ParseMediaLine(string value, out SdpMedia? media)
    {
        media = null;
        string[] parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 4)
        {
            return "m= needs <media> <port> <proto> <fmt> ...";
        }

        if (parts.Length - 3 > MaxFormats)
        {
            return $"m= has more than {MaxFormats} formats";
        }

        string[] port = parts[1].Split('/');
        if (port.Length > 2 || !TryParseInt(port[0], MaxPort, out int number))
        {
            return "m= port is not a number from 0 to 65535";
        }

        int? count = null;
        if (port.Length == 2)
        {
            if (!TryParseInt(port[1], MaxPort, out int ports))
            {
                return "m= port count is not a number";
            }

            count = ports;
        }

        media = new SdpMedia(parts[0], number, parts[2]) { PortCount = count };
        media.Formats.AddRange(parts.AsSpan(3));
        return null;
    }

    private static string? ParseRtpMap(string? value, out SdpRtpMap? map)
    {
        map = null;
        string[] parts = value?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        string[] encoding = parts.Length == 2 ? parts[1].Split('/') : [];
        if (encoding.Length is < 2 or > 3 || !TryParseInt(parts[0], 127, out int payloadType))
        {
            return "rtpmap needs <payload type 0-127> <encoding>/<clock rate>[/<channels>]";
        }

        if (!TryParseInt(encoding[1], int.MaxValue, out int clockRate) || clockRate == 0)
        {
            return "rtpmap clock rate is not a positive number";
        }

        int channels = 1;
        if (encoding.Length == 3 && (!TryParseInt(encoding[2], 255, out channels) || channels == 0))
        {
            return "rtpmap channel count is not a number from 1 to 255";
        }

        map = new SdpRtpMap(payloadType, encoding[0], clockRate, channels);
        return null;
    }

    // Some peers write ptime as a decimal ("20.0"); only whole milliseconds matter here.
    private static int? ParseMilliseconds(string? value) =>
        double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double ms) && ms is >= 1 and <= 10_000
            ? (int)ms
            : null;

    private static bool TryParseInt(string text, int max, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= max;

    private static (string Name, string? Value) SplitAttribute(string value)
    {
        int colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (value.Trim(), null) : (value[..colon].Trim(), value[(colon + 1)..].Trim());
    }

    private static string Quote(string line) => line.Length <= 80 ? $"\"{line}\"" : $"\"{line[..80]}...\"";
}
