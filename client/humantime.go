package main

import (
	"math"
	"strconv"
	"time"
)

// humanDuration words a duration as `docker ps` does ("Up 3 seconds", "2 minutes ago").
func humanDuration(d time.Duration) string {
	seconds := int64(d / time.Second)
	if seconds < 0 {
		seconds = 0
	}
	switch {
	case seconds < 1:
		return "Less than a second"
	case seconds == 1:
		return "1 second"
	case seconds < 60:
		return strconv.FormatInt(seconds, 10) + " seconds"
	}
	minutes := seconds / 60
	if minutes == 1 {
		return "About a minute"
	}
	if minutes < 60 {
		return strconv.FormatInt(minutes, 10) + " minutes"
	}
	hours := int64(math.Round(float64(seconds) / 3600))
	if hours == 1 {
		return "About an hour"
	}
	if hours < 48 {
		return strconv.FormatInt(hours, 10) + " hours"
	}
	days := hours / 24
	switch {
	case days < 7*2:
		return strconv.FormatInt(days, 10) + " days"
	case days < 30*3:
		return strconv.FormatInt(days/7, 10) + " weeks"
	case days < 365*2:
		return strconv.FormatInt(days/30, 10) + " months"
	}
	return strconv.FormatInt(days/365, 10) + " years"
}
